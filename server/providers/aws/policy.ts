/**
 * What the operator's policy refuses before anything is sent: the server's own AWS
 * identity (directly, or as the base of an assumed role) and endpoints outside AWS.
 */
import type { AwsConfig } from '../../../shared/providers/aws.ts';
import type { PolicyViolation, ProviderPolicy } from '../types.ts';

/**
 * AWS's own endpoint domains (commercial and GovCloud, China, dual-stack), over https.
 * https://docs.aws.amazon.com/general/latest/gr/asm.html
 */
const AWS_DOMAINS = ['.amazonaws.com', '.amazonaws.com.cn', '.api.aws'];

export function isAwsEndpoint(endpoint: string): boolean {
  try {
    const url = new URL(endpoint);
    return url.protocol === 'https:' && AWS_DOMAINS.some((domain) => url.hostname.endsWith(domain));
  } catch {
    return false;
  }
}

/** Whether the connection signs with the server's own identity (the default credential chain). */
export function usesAmbientCredentials(config: AwsConfig): boolean {
  return config.authMethod === 'ambient' || (config.authMethod === 'assumeRole' && !config.accessKeyId);
}

export function checkAwsPolicy(config: AwsConfig, policy: ProviderPolicy): PolicyViolation | undefined {
  if (!policy.allowAmbientCredentials && usesAmbientCredentials(config)) {
    return config.authMethod === 'ambient'
      ? { field: 'authMethod', message: "This server does not let connections use its own AWS identity. Use access keys, or assume a role with access keys." }
      : { field: 'accessKeyId', message: "This server does not let connections use its own AWS identity: give the access keys of the identity that assumes the role." };
  }
  if (!policy.allowCustomHosts) {
    const endpoints: [string, string | undefined][] = [['endpoint', config.endpoint]];
    if (config.authMethod === 'assumeRole') endpoints.push(['stsEndpoint', config.stsEndpoint]);
    for (const [field, endpoint] of endpoints) {
      if (endpoint && !isAwsEndpoint(endpoint)) {
        return { field, message: 'This server only connects to AWS endpoints (https://….amazonaws.com, .amazonaws.com.cn or .api.aws). Leave the endpoint empty to use the standard one for the region.' };
      }
    }
  }
  return undefined;
}
