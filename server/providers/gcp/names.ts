/**
 * Secret Manager resource names for one connection. A path is a short name, or a full
 * resource name that must stay in the connection's project (unless the connection allows
 * other projects) and in its location (a regional endpoint serves only its own location).
 * https://cloud.google.com/secret-manager/docs/regional-secrets-overview
 */
import { gcpSecretLocator } from '../../../shared/providers/gcp.ts';
import type { SecretPath } from '../../../shared/secret-path.ts';
import { SecretManagerError } from '../../errors.ts';

export interface GcpScope {
  project: string;
  location?: string;
  allowOtherProjects: boolean;
}

export function parentName(scope: GcpScope): string {
  return `projects/${scope.project}${scope.location ? `/locations/${scope.location}` : ''}`;
}

/** The resource name of the secret a (normalised) path names. */
export function secretName(scope: GcpScope, path: SecretPath): string {
  const locator = gcpSecretLocator(path.name);
  if (locator.project === undefined) return `${parentName(scope)}/secrets/${locator.secret}`;
  if (locator.project !== scope.project && !scope.allowOtherProjects) {
    throw new SecretManagerError(
      'INVALID_PATH',
      `The path names project "${locator.project}", but this connection reads project "${scope.project}". Write the short name (${locator.secret}), or allow other projects in the connection's advanced settings.`,
    );
  }
  if (locator.location !== scope.location) {
    const here = scope.location ? `regional secrets in ${scope.location}` : 'global secrets';
    const there = locator.location ? `a regional secret in ${locator.location}` : 'a global secret';
    throw new SecretManagerError('INVALID_PATH', `The path names ${there}, but this connection reads ${here}: use a connection for that location.`);
  }
  return `projects/${locator.project}${locator.location ? `/locations/${locator.location}` : ''}/secrets/${locator.secret}`;
}

export function versionName(scope: GcpScope, path: SecretPath): string {
  return `${secretName(scope, path)}/versions/${path.version ?? 'latest'}`;
}

/** `projects/123/secrets/db` → `db`. */
export function shortName(resourceName: string): string {
  return resourceName.slice(resourceName.lastIndexOf('/') + 1);
}

/** The concrete version number in `…/versions/3`. */
export function versionOf(versionResourceName: string): string | undefined {
  return /\/versions\/([^/]+)$/.exec(versionResourceName)?.[1];
}
