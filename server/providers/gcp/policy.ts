/**
 * What the operator's policy refuses before anything is sent: the server's own Google
 * identity (application default credentials) and API endpoints outside googleapis.com.
 */
import { isGoogleApisHost, type GcpConfig } from '../../../shared/providers/gcp.ts';
import type { PolicyViolation, ProviderPolicy } from '../types.ts';

export function checkGcpPolicy(config: GcpConfig, policy: ProviderPolicy): PolicyViolation | undefined {
  if (config.authMethod === 'ambient' && !policy.allowAmbientCredentials) {
    return { field: 'authMethod', message: "This server does not let connections use its own Google identity. Use a service account key." };
  }
  if (config.apiEndpoint && !isGoogleApisHost(config.apiEndpoint) && !policy.allowCustomHosts) {
    return {
      field: 'apiEndpoint',
      message: 'This server only connects to Google endpoints (….googleapis.com, Private Service Connect included). Leave the API endpoint empty to use the standard one.',
    };
  }
  return undefined;
}
