/**
 * The client side of the event-loop bench, in a process of its own so that building and
 * sending 1 MiB bodies never runs on the loop being measured. Told by the parent over IPC
 * to run one phase: ping `/healthz` back to back, and, in the loaded phase, send every
 * adversarial body `rounds` times (two at a time) meanwhile. Answers with the `/healthz`
 * latencies in ms and the status codes of the resolve calls.
 */
import { fork } from 'node:child_process';

export interface Phase {
  url: string;
  token: string;
  /** Adversarial strings, each sent as `value` of a `secrets.resolve` call. */
  bodies: string[];
  rounds: number;
  /** Idle phase: how long to ping `/healthz` with no body sent. */
  idleMs?: number;
}

export interface PhaseResult {
  healthzMs: number[];
  statuses: Record<number, number>;
}

export function startAdversarialClient(): { run(phase: Phase): Promise<PhaseResult>; close(): void } {
  const child = fork(import.meta.filename, ['--client'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    run: (phase) =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve(m as PhaseResult));
        child.send(phase);
      }),
    close: () => child.kill(),
  };
}

async function runPhase(phase: Phase): Promise<PhaseResult> {
  const healthzMs: number[] = [];
  const statuses: Record<number, number> = {};
  let done = false;
  const ping = async () => {
    while (!done) {
      const started = performance.now();
      await (await fetch(`${phase.url}/healthz`)).arrayBuffer();
      healthzMs.push(performance.now() - started);
    }
  };
  const pinging = ping();
  if (phase.idleMs !== undefined) {
    await new Promise((resolve) => setTimeout(resolve, phase.idleMs));
  } else {
    const requests = phase.bodies.map((value) => JSON.stringify({ value: { field: value }, onError: 'report' }));
    const queue = Array.from({ length: phase.rounds }, () => requests).flat();
    const send = async () => {
      for (let body = queue.shift(); body !== undefined; body = queue.shift()) {
        const response = await fetch(`${phase.url}/trpc/secrets.resolve`, {
          method: 'POST',
          headers: { authorization: `Bearer ${phase.token}`, 'content-type': 'application/json' },
          body,
        });
        await response.arrayBuffer();
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      }
    };
    await Promise.all([send(), send()]);
  }
  done = true;
  await pinging;
  return { healthzMs, statuses };
}

if (process.argv.includes('--client')) {
  process.on('message', (phase: Phase) => {
    void runPhase(phase).then((result) => process.send!(result));
  });
}
