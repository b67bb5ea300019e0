import { waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { createClient, type SecretManagersClient } from '../../../elements/client.ts';
import { deepActiveElement } from '../../../elements/base/focus.ts';

export interface TestPlatform {
  apiUrl: string;
  vault: { url: string; readToken: string };
  /** Access keys of the AWS emulator's demo user. */
  aws: { region: string; endpoint: string; accessKeyId: string; secretAccessKey: string };
  adminToken: string;
  /** The admin's own client, to arrange and check state on the server. */
  api: SecretManagersClient;
  /** An engine's client: resolves references as the host's flows would. */
  engine: SecretManagersClient;
}

/** A fresh platform with an admin key on the real test server (see test-server.ts). */
export async function newPlatform(): Promise<TestPlatform> {
  const env = await executeServerCommand<Pick<TestPlatform, 'apiUrl' | 'vault' | 'aws'>, undefined>('sm-environment');
  const { adminToken, engineToken } = await executeServerCommand<{ adminToken: string; engineToken: string }, undefined>('sm-newPlatform');
  return {
    ...env,
    adminToken,
    api: createClient({ url: env.apiUrl, getToken: () => adminToken }),
    engine: createClient({ url: env.apiUrl, getToken: () => engineToken }),
  };
}

/** Makes the shared Vault emulator answer slowly (0 to undo); other test files only wait longer. */
export const vaultLatency = (ms: number) => executeServerCommand<boolean, { ms: string }>('sm-vaultLatency', { ms: String(ms) });

/** A Vault token of the test's own, and a way to revoke it. */
export const newVaultToken = () => executeServerCommand<string, undefined>('sm-vaultToken');
export const revokeVaultToken = (token: string) => executeServerCommand<boolean, { token: string }>('sm-revokeVaultToken', { token });

/** Writes a KV v2 secret into the test server's Vault at `secret/<path>`. */
export const putVaultSecret = (path: string, data: Record<string, unknown>) =>
  executeServerCommand<number, { path: string; data: string }>('sm-putSecret', { path, data: JSON.stringify(data) });

/** Makes a saved connection's stored credentials undecryptable on the server: a key missing from its ring, or a damaged row. */
export const breakConnection = (id: string, how: 'missing-key' | 'corrupted') =>
  executeServerCommand<boolean, { id: string; how: string }>('sm-breakConnection', { id, how });

export const serverLogsContain = (text: string) => executeServerCommand<boolean, { text: string }>('sm-logsContain', { text });

export const vaultConfig = (p: TestPlatform, token = p.vault.readToken) => ({ url: p.vault.url, kvMount: 'secret', kvVersion: 2, token });

export function createAwsConnection(p: TestPlatform, name: string) {
  return p.api.secretManagers.create.mutate({ name, provider: 'aws', authMethod: 'accessKey', scope: 'PLATFORM', config: p.aws });
}

export function createVaultConnection(p: TestPlatform, name: string, extra: { scope?: 'PLATFORM' | 'PROJECT'; projectIds?: string[] } = {}) {
  return p.api.secretManagers.create.mutate({ name, provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultConfig(p), ...extra });
}

/** Walks into shadow roots: `$(list, 'secret-manager-dialog', '#name')` is `#name` inside the dialog inside the list. */
export function $<T extends HTMLElement = HTMLElement>(host: Element, ...path: string[]): T {
  let node: Element = host;
  for (const selector of path) {
    const next: Element | null | undefined = node.shadowRoot?.querySelector(selector);
    if (!next) throw new Error(`nothing matches "${selector}" in <${node.localName}>`);
    node = next;
  }
  return node as T;
}

export function $$<T extends HTMLElement = HTMLElement>(host: Element, selector: string): T[] {
  return [...(host.shadowRoot?.querySelectorAll<T>(selector) ?? [])];
}

/** The control whose text or accessible label is `text`, inside `host`'s shadow root. */
export function byText<T extends HTMLElement = HTMLElement>(host: Element, selector: string, text: string | RegExp): T {
  const found = $$<T>(host, selector).find((e) => {
    const label = `${e.getAttribute('aria-label') ?? ''} ${e.textContent ?? ''}`.replace(/\s+/g, ' ').trim();
    return typeof text === 'string' ? label.includes(text) : text.test(label);
  });
  if (!found) throw new Error(`no ${selector} with text ${text} in <${host.localName}>`);
  return found;
}

export const textOf = (e: Node) => (e.textContent ?? '').replace(/\s+/g, ' ').trim();

/** Waits for `probe` to return something truthy (throwing counts as not yet) and returns it. */
export async function until<T>(probe: () => T | null | undefined | false, message: string, timeout = 10_000): Promise<T> {
  let value: T | null | undefined | false = undefined;
  await waitUntil(
    () => {
      try {
        value = probe();
      } catch {
        value = undefined;
      }
      return Boolean(value);
    },
    message,
    { timeout },
  );
  return value as T;
}

/** Types into an input as a user would: sets the value and fires `input`. */
export function typeInto(input: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
}

export const focused = () => deepActiveElement();
