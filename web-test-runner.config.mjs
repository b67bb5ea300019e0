import { fork } from 'node:child_process';
import { createServer } from 'node:net';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './test/support/chromium-options.mjs';

/** Browser tests of elements/ in Debian's Chromium, against a real server (test/elements/support/test-server.ts). */

const freePort = () =>
  new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });

const hostname = '127.0.0.1';
const port = await freePort();

/** Starts the server process with the dev server and stops it after; tests reach it through commands. */
function realServer() {
  let child;
  let ready;
  let nextId = 0;
  const pending = new Map();
  return {
    name: 'secret-managers-test-server',
    async serverStart() {
      child = fork('test/elements/support/test-server.ts', {
        execArgv: ['--import', 'tsx'],
        env: { ...process.env, SM_TEST_ORIGIN: `http://${hostname}:${port}`, METADATA_SERVER_DETECTION: 'none' },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      ready = await new Promise((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`the test server exited (${code}) before it was ready`)));
        child.on('message', (message) => {
          if (message.ready) return resolve(message.ready);
          const waiter = pending.get(message.id);
          pending.delete(message.id);
          if (message.error) waiter?.reject(new Error(message.error));
          else waiter?.resolve(message.result);
        });
      });
    },
    async serverStop() {
      if (!child || child.exitCode !== null) return;
      await new Promise((resolve) => {
        child.once('exit', resolve);
        child.disconnect();
      });
    },
    executeCommand({ command, payload }) {
      if (command === 'sm-environment') return ready;
      if (!command.startsWith('sm-')) return undefined;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, command: command.slice(3), payload });
      });
    },
  };
}

export default {
  files: 'test/elements/**/*.test.ts',
  nodeResolve: true,
  hostname,
  port,
  // Focus and key presses only reach the page in front: one test file at a time.
  concurrency: 1,
  testFramework: { config: { timeout: 20_000 } },
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' }), realServer()],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: CHROMIUM_FLAGS,
      },
    }),
  ],
};
