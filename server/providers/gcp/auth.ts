/**
 * The Google identity of a connection. With a service account key, google-auth-library's
 * JWT client signs a self-signed JWT per audience (RS256, kid = private_key_id, one hour,
 * cached and re-signed before it expires): GAPIC clients set `useJWTAccessWithScope`, so the
 * key's token_uri is never called and nothing leaves for oauth2.googleapis.com.
 * https://google.aip.dev/auth/4111
 * With `ambient`, application default credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud's
 * file, or the metadata server on Google Cloud), which only the operator may allow.
 */
import { GoogleAuth, grpc } from 'google-gax';
import { parseServiceAccountKey, type GcpConfig, type ServiceAccountKey } from '../../../shared/providers/gcp.ts';
import { SecretManagerError } from '../../errors.ts';

export interface GcpIdentity {
  auth: GoogleAuth;
  /** How messages name the caller, e.g. `service account reader@p.iam.gserviceaccount.com`. */
  describe: string;
  /** The project the connection reads: the config's, else the key's. */
  projectId: string;
  /** The client email when known without asking anyone (from the key). */
  email?: string;
  /** Strings that must never appear in a message or a log line. */
  credentials: string[];
}

function keyOf(config: Extract<GcpConfig, { authMethod: 'serviceAccountKey' }>): ServiceAccountKey {
  const parsed = parseServiceAccountKey(config.serviceAccountKey);
  // The schema validated the key already; this only guards configs that skipped it.
  if (!parsed.ok) throw new SecretManagerError('AUTHENTICATION_FAILED', parsed.problems.join(' '));
  return parsed.key;
}

/**
 * `fetchImplementation` replaces gaxios' HTTP client (rest-fetch.ts). Only the fields the
 * JWT client needs are handed over, not the whole key file.
 */
export function createIdentity(config: GcpConfig, fetchImplementation: typeof fetch): GcpIdentity {
  const clientOptions = { transporterOptions: { fetchImplementation } };
  if (config.authMethod === 'ambient') {
    return {
      auth: new GoogleAuth({ projectId: config.projectId, clientOptions }),
      projectId: config.projectId,
      describe: "the server's Google identity (application default credentials)",
      credentials: [],
    };
  }
  const key = keyOf(config);
  const base64Body = key.private_key.replace(/-----[A-Z ]+-----|\s/g, '');
  const projectId = config.projectId ?? key.project_id;
  return {
    auth: new GoogleAuth({
      credentials: { type: key.type, client_email: key.client_email, private_key: key.private_key, private_key_id: key.private_key_id, project_id: key.project_id },
      projectId,
      clientOptions,
    }),
    projectId,
    describe: `service account ${key.client_email}`,
    email: key.client_email,
    credentials: [config.serviceAccountKey, key.private_key, base64Body],
  };
}

/**
 * The `authorization` metadata for every gRPC call. The client library builds the same when
 * it makes its own channel credentials; it does not when given `sslCreds` (needed for a
 * private CA), so this is that piece. Signing failures are UNAUTHENTICATED, not retried.
 */
export function callCredentials(auth: GoogleAuth): grpc.CallCredentials {
  return grpc.credentials.createFromMetadataGenerator((options, callback) => {
    auth.getRequestHeaders(options.service_url).then(
      (headers) => {
        const metadata = new grpc.Metadata();
        headers.forEach((value, name) => metadata.set(name, value));
        callback(null, metadata);
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        callback(Object.assign(new Error(message), { code: grpc.status.UNAUTHENTICATED }));
      },
    );
  });
}
