/**
 * The secret store: secrets with versions and staging labels, looked up by name, full
 * ARN or partial ARN, with AWS's messages for what is missing.
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/whats-in-a-secret.html
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { AwsError } from './wire.ts';
import type { SecretContent, SecretWriteOptions } from './types.ts';

export const CURRENT = 'AWSCURRENT';
export const PREVIOUS = 'AWSPREVIOUS';

export interface SecretVersion {
  id: string;
  content: SecretContent;
  created: Date;
  stages: Set<string>;
}

export interface StoredSecret {
  name: string;
  arn: string;
  created: Date;
  lastChanged: Date;
  /** In creation order. */
  versions: Map<string, SecretVersion>;
}

const notFound = (what = 'secret.') => new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified ${what}`);

function sameContent(a: SecretContent, b: SecretContent): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return Buffer.from(a).equals(Buffer.from(b));
}

/** The suffix AWS appends to a secret's ARN: a dash and six random characters. */
function arnSuffix(): string {
  return `-${randomBytes(6).toString('base64').replace(/[+/=]/g, 'x').slice(0, 6)}`;
}

export class SecretStore {
  readonly #secrets = new Map<string, StoredSecret>();

  constructor(private readonly arnPrefix: string) {}

  /** By name, full ARN, or partial ARN (without the 6-character suffix). */
  find(secretId: string): StoredSecret {
    const byName = this.#secrets.get(secretId);
    if (byName) return byName;
    for (const secret of this.#secrets.values()) {
      if (secretId === secret.arn || secretId === `${this.arnPrefix}${secret.name}`) return secret;
    }
    throw notFound();
  }

  create(name: string, content: SecretContent | undefined, options: SecretWriteOptions = {}): { secret: StoredSecret; versionId?: string } {
    if (this.#secrets.has(name)) {
      throw new AwsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
    }
    const now = new Date();
    const secret: StoredSecret = { name, arn: `${this.arnPrefix}${name}${arnSuffix()}`, created: now, lastChanged: now, versions: new Map() };
    this.#secrets.set(name, secret);
    if (content === undefined) return { secret };
    return { secret, versionId: this.put(secret, content, options).id };
  }

  /**
   * A new version. Each stage given moves to it; when AWSCURRENT moves, the version that
   * had it becomes AWSPREVIOUS. A repeated token with the same content is a no-op.
   */
  put(secret: StoredSecret, content: SecretContent, options: SecretWriteOptions = {}): SecretVersion {
    const id = options.versionId ?? randomUUID();
    const existing = secret.versions.get(id);
    if (existing) {
      if (sameContent(existing.content, content)) return existing;
      throw new AwsError('ResourceExistsException', "You can't modify an existing version, you can only create a new version.");
    }
    const stages = options.stages ?? [CURRENT];
    const previousCurrent = [...secret.versions.values()].find((v) => v.stages.has(CURRENT));
    for (const version of secret.versions.values()) for (const stage of stages) version.stages.delete(stage);
    if (stages.includes(CURRENT) && previousCurrent) {
      for (const version of secret.versions.values()) version.stages.delete(PREVIOUS);
      previousCurrent.stages.add(PREVIOUS);
    }
    const version: SecretVersion = { id, content, created: new Date(), stages: new Set(stages) };
    secret.versions.set(id, version);
    secret.lastChanged = version.created;
    return version;
  }

  /** VersionStage defaults to AWSCURRENT; with both, the version must carry the stage. */
  version(secret: StoredSecret, versionId: string | undefined, stage: string | undefined): SecretVersion {
    if (versionId !== undefined) {
      const version = secret.versions.get(versionId);
      if (!version) throw notFound(`secret value for VersionId: ${versionId}`);
      if (stage !== undefined && !version.stages.has(stage)) throw notFound(`secret value for staging label: ${stage}`);
      return version;
    }
    const label = stage ?? CURRENT;
    const version = [...secret.versions.values()].find((v) => v.stages.has(label));
    if (!version) throw notFound(`secret value for staging label: ${label}`);
    return version;
  }

  /** Sorted by name, so that a page token can be the last name returned. */
  all(): StoredSecret[] {
    return [...this.#secrets.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
