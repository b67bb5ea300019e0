-- A PROJECT-scoped connection always has at least one project (DESIGN.md "Scope").
-- The application refuses the edits that would break this, with a message naming the
-- connections; these constraint triggers make it hold whatever runs against the database,
-- including two transactions that each remove one of a connection's last two projects.
-- They are deferred to commit time, so a transaction may replace a connection's projects
-- (delete, then insert) or insert a connection before its projects.
CREATE FUNCTION "project_connection_keeps_a_project"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	target text;
BEGIN
	IF TG_TABLE_NAME = 'connection_projects' THEN
		target := OLD."connection_id";
	ELSE
		target := NEW."id";
	END IF;
	-- The row lock serialises concurrent removals: the second one waits, then counts
	-- with a fresh snapshot that includes the first one's commit.
	PERFORM 1 FROM "secret_manager_connections" WHERE "id" = target AND "scope" = 'PROJECT' FOR NO KEY UPDATE;
	IF FOUND AND NOT EXISTS (SELECT 1 FROM "connection_projects" WHERE "connection_id" = target) THEN
		RAISE EXCEPTION 'project-scoped connection % would be left without a project', target
			USING ERRCODE = 'check_violation', CONSTRAINT = 'project_connection_keeps_a_project';
	END IF;
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "connection_projects_keep_a_project"
	AFTER DELETE ON "connection_projects"
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION "project_connection_keeps_a_project"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "project_connections_have_a_project"
	AFTER INSERT OR UPDATE OF "scope" ON "secret_manager_connections"
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION "project_connection_keeps_a_project"();
