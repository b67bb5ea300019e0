import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningDemo {
  /** The admin page URL the demo prints, with the token in the fragment. */
  adminUrl: string;
  adminToken: string;
  vault: { url: string; rootToken: string };
  /** Every line the process wrote (the banner and the JSON log lines). */
  output: string[];
  stop(): Promise<void>;
}

/** `npm run demo` as a person runs it (minus the build, done before), on a free port and a data folder of its own. */
export async function startDemo(): Promise<RunningDemo> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sm-e2e-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'demo'], {
    env: { ...process.env, PORT: '0', SM_DATA_DIR: dataDir, LOG_LEVEL: 'debug' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const banner = await new Promise<string>((resolve, reject) => {
    let text = '';
    const collect = (chunk: Buffer) => {
      text += chunk;
      output.push(...String(chunk).split('\n').filter(Boolean));
      if (/Ctrl\+C stops everything/.test(text)) resolve(text);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('exit', (code) => reject(new Error(`the demo exited (${code}):\n${text}`)));
  });
  const match = (re: RegExp) => {
    const found = re.exec(banner)?.[1];
    if (!found) throw new Error(`the demo banner has no ${re}:\n${banner}`);
    return found;
  };
  const adminUrl = match(/Admin page:\s+(\S+)/);
  return {
    adminUrl,
    adminToken: new URL(adminUrl).hash.replace('#token=', ''),
    vault: { url: match(/vault emulator:\s+(\S+)/), rootToken: match(/root token (\S+)/) },
    output,
    async stop() {
      if (child.exitCode === null) {
        await new Promise((resolve) => {
          child.once('exit', resolve);
          child.kill('SIGTERM');
        });
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
