import type { ConnectionDto } from '../../shared/connections.ts';
import type { SecretManagersClient } from '../client.ts';

/** Answers younger than this are shared: a dialog with five credential fields makes one request, not five. */
const FRESH_MS = 5_000;

interface Entry {
  at: number;
  connections: Promise<ConnectionDto[]>;
}

const loaded = new WeakMap<SecretManagersClient, Map<string, Entry>>();

/**
 * The connections a context may use, exactly as the server decides (`secretManagers.list`
 * with the project): platform-scoped ones plus those assigned to the project. Never
 * filtered here, so the browser cannot offer what the server would refuse.
 */
export function usableConnections(client: SecretManagersClient, projectId: string | undefined, maxAgeMs = FRESH_MS): Promise<ConnectionDto[]> {
  let byProject = loaded.get(client);
  if (!byProject) loaded.set(client, (byProject = new Map()));
  const key = projectId ?? '';
  const entry = byProject.get(key);
  if (entry && Date.now() - entry.at < maxAgeMs) return entry.connections;
  const connections = client.secretManagers.list.query(projectId ? { projectId } : undefined);
  byProject.set(key, { at: Date.now(), connections });
  // A failure is not remembered: the next caller (after a token refresh, say) asks again.
  connections.catch(() => byProject.get(key)?.connections === connections && byProject.delete(key));
  return connections;
}
