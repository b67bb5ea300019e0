/**
 * The bench's Vault: the emulator in a process of its own, as a real Vault is, so its
 * work never runs on the event loop being measured. Seeded by the parent over IPC, which
 * also reads its counters and sets its latency.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { startVaultEmulator } from '../test/emulators/vault/index.ts';

type Command =
  | { op: 'seed'; secrets: { path: string; data: Record<string, unknown> }[] }
  | { op: 'latency'; ms: number }
  | { op: 'resetStats' }
  | { op: 'reads' };

export interface VaultProcess {
  url: string;
  rootToken: string;
  /** Writes KV v2 secrets under the `secret` mount. */
  seed(secrets: { path: string; data: Record<string, unknown> }[]): Promise<void>;
  setLatency(ms: number): Promise<void>;
  resetStats(): Promise<void>;
  /** KV reads served since the last reset. */
  reads(): Promise<number>;
  close(): Promise<void>;
}

export async function startVaultProcess(): Promise<VaultProcess> {
  const child = fork(import.meta.filename, ['--serve'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { url, rootToken } = await new Promise<{ url: string; rootToken: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { url: string; rootToken: string }));
    child.once('exit', (code) => reject(new Error(`the bench's Vault process exited (${code})`)));
  });
  let next = 0;
  const ask = <T>(command: Command) =>
    new Promise<T>((resolve) => {
      const id = next++;
      const onMessage = (m: { id: number; result: T }) => {
        if (m.id !== id) return;
        child.off('message', onMessage);
        resolve(m.result);
      };
      child.on('message', onMessage);
      child.send({ ...command, id });
    });
  return {
    url,
    rootToken,
    seed: (secrets) => ask({ op: 'seed', secrets }),
    setLatency: (ms) => ask({ op: 'latency', ms }),
    resetStats: () => ask({ op: 'resetStats' }),
    reads: () => ask({ op: 'reads' }),
    close: () => stop(child),
  };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    // Already gone (an interrupt reaches the whole process group): its exit event has passed.
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill();
  });
}

if (process.argv.includes('--serve')) {
  const emulator = await startVaultEmulator();
  emulator.enableKv('secret', 2);
  process.on('message', (command: Command & { id: number }) => {
    let result: unknown;
    if (command.op === 'seed') for (const { path, data } of command.secrets) emulator.putSecret('secret', path, data);
    else if (command.op === 'latency') emulator.faults.latencyMs = command.ms;
    else if (command.op === 'resetStats') emulator.stats.reset();
    else result = emulator.stats.byRoute['GET kv-read'] ?? 0;
    process.send!({ id: command.id, result });
  });
  process.send!({ url: emulator.url, rootToken: emulator.rootToken });
}
