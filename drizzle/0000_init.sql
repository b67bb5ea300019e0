CREATE TABLE "audit_events" (
	"id" text PRIMARY KEY NOT NULL,
	"platform_id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text,
	"outcome" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"platform_id" text NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"project_id" text,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_tokenHash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "embed_signing_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"platform_id" text NOT NULL,
	"name" text NOT NULL,
	"algorithm" text NOT NULL,
	"secret_ciphertext" text,
	"key_version" integer,
	"public_jwk" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "connection_projects" (
	"connection_id" text NOT NULL,
	"project_id" text NOT NULL,
	CONSTRAINT "connection_projects_connection_id_project_id_pk" PRIMARY KEY("connection_id","project_id")
);
--> statement-breakpoint
CREATE TABLE "secret_manager_connections" (
	"id" text PRIMARY KEY NOT NULL,
	"platform_id" text NOT NULL,
	"name" text NOT NULL,
	"provider" text NOT NULL,
	"auth_method" text NOT NULL,
	"scope" text NOT NULL,
	"config_ciphertext" text NOT NULL,
	"key_version" integer NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "platforms" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "projects" (
	"id" text PRIMARY KEY NOT NULL,
	"platform_id" text NOT NULL,
	"name" text NOT NULL,
	"external_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_platform_id_platforms_id_fk" FOREIGN KEY ("platform_id") REFERENCES "public"."platforms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_platform_id_platforms_id_fk" FOREIGN KEY ("platform_id") REFERENCES "public"."platforms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "embed_signing_keys" ADD CONSTRAINT "embed_signing_keys_platform_id_platforms_id_fk" FOREIGN KEY ("platform_id") REFERENCES "public"."platforms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connection_projects" ADD CONSTRAINT "connection_projects_connection_id_secret_manager_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."secret_manager_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connection_projects" ADD CONSTRAINT "connection_projects_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "secret_manager_connections" ADD CONSTRAINT "secret_manager_connections_platform_id_platforms_id_fk" FOREIGN KEY ("platform_id") REFERENCES "public"."platforms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_platform_id_platforms_id_fk" FOREIGN KEY ("platform_id") REFERENCES "public"."platforms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_platform_at_idx" ON "audit_events" USING btree ("platform_id","at");--> statement-breakpoint
CREATE INDEX "api_keys_platform_idx" ON "api_keys" USING btree ("platform_id");--> statement-breakpoint
CREATE INDEX "embed_keys_platform_idx" ON "embed_signing_keys" USING btree ("platform_id");--> statement-breakpoint
CREATE INDEX "connection_projects_project_idx" ON "connection_projects" USING btree ("project_id");--> statement-breakpoint
CREATE UNIQUE INDEX "connections_platform_name_uq" ON "secret_manager_connections" USING btree ("platform_id","name");--> statement-breakpoint
CREATE INDEX "connections_key_version_idx" ON "secret_manager_connections" USING btree ("key_version");--> statement-breakpoint
CREATE UNIQUE INDEX "projects_platform_name_uq" ON "projects" USING btree ("platform_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "projects_platform_external_id_uq" ON "projects" USING btree ("platform_id","external_id");--> statement-breakpoint
CREATE INDEX "projects_platform_idx" ON "projects" USING btree ("platform_id");