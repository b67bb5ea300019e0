/**
 * moto 5.2.1 (preinstalled) as a real peer: started on a free port, reset, given IAM
 * users through the IAM Query API while authentication is off, then switched to
 * enforcing SigV4 and IAM policies for every later request (PROVIDERS.md).
 * http://docs.getmoto.org/en/latest/docs/iam.html
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './net.ts';
import { signRequest } from './sigv4.ts';

export interface MotoServer {
  url: string;
  region: string;
  /** An IAM user with an inline policy (IAM JSON statements) and one access key. Only before `enforceAuth()`. */
  createUser(name: string, statements: object[]): Promise<{ accessKeyId: string; secretAccessKey: string }>;
  /** From now on every request must be signed by a known key and allowed by its policies. */
  enforceAuth(): Promise<void>;
  close(): Promise<void>;
}

/** Any key signs while authentication is off. */
const BOOTSTRAP_KEY = { accessKeyId: 'AKIAMOTOBOOTSTRAP000', secretAccessKey: 'moto-bootstrap-not-checked' };

export async function startMoto(region = 'us-east-1'): Promise<MotoServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: 'inf' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + String(chunk)).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const close = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.race([exited, sleep(5_000).then(() => child.kill('SIGKILL'))]);
  };

  try {
    await waitUntilAnswering(url, () => child.exitCode !== null);
  } catch (error) {
    await close();
    throw new Error(`moto did not start: ${(error as Error).message}\n${stderr}`);
  }
  await fetch(`${url}/moto-api/reset`, { method: 'POST' });

  async function iam(params: Record<string, string>): Promise<string> {
    const body = new URLSearchParams({ ...params, Version: '2010-05-08' }).toString();
    const headers = signRequest(
      { method: 'POST', url: `${url}/`, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body },
      { region, service: 'iam', credentials: BOOTSTRAP_KEY },
    );
    const response = await fetch(`${url}/`, { method: 'POST', headers, body });
    const text = await response.text();
    if (!response.ok) throw new Error(`IAM ${params['Action']} failed: ${text}`);
    return text;
  }

  return {
    url,
    region,
    async createUser(name, statements) {
      await iam({ Action: 'CreateUser', UserName: name });
      const PolicyDocument = JSON.stringify({ Version: '2012-10-17', Statement: statements });
      await iam({ Action: 'PutUserPolicy', UserName: name, PolicyName: `${name}-policy`, PolicyDocument });
      const xml = await iam({ Action: 'CreateAccessKey', UserName: name });
      const element = (tag: string) => new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(xml)?.[1] ?? '';
      return { accessKeyId: element('AccessKeyId'), secretAccessKey: element('SecretAccessKey') };
    },
    async enforceAuth() {
      const response = await fetch(`${url}/moto-api/reset-auth`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '0' });
      if (!response.ok) throw new Error(`moto reset-auth failed: ${await response.text()}`);
    },
    close,
  };
}

async function waitUntilAnswering(url: string, gaveUp: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (gaveUp()) throw new Error('the process exited');
    try {
      await fetch(`${url}/moto-api/data.json`);
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error('no answer after 30 s');
}
