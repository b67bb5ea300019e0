import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiClient } from '../server/support/server.ts';
import { launchChromium } from '../support/chromium.ts';
import { startFlowServer, type FlowServer } from './support/flow-server.ts';
import { serveFolder } from './support/static-server.ts';

/** A React app on an origin of its own (allowed by SM_ALLOWED_ORIGINS), built against the built `react` entry. */
const APP = resolve(import.meta.dirname, 'react-app');

let s: FlowServer;
let browser: Browser;
let outDir: string;
let app: Awaited<ReturnType<typeof serveFolder>>;

beforeAll(async () => {
  if (!existsSync('dist/react/index.js')) throw new Error('The React entry is not built: run `npm run build` first.');
  outDir = await mkdtemp(join(tmpdir(), 'sm-react-app-'));
  await build({
    root: APP,
    logLevel: 'warn',
    configFile: false,
    // The app is type-checked against the source; here it gets what a React app installs.
    resolve: { alias: { [resolve('elements/react/index.ts')]: resolve('dist/react/index.js') } },
    // As a React app ships: React's production build, and JSX compiled for it (Vitest's NODE_ENV=test would pick the development runtime).
    mode: 'production',
    define: { 'process.env.NODE_ENV': '"production"' },
    oxc: { jsx: { runtime: 'automatic', development: false } },
    build: { outDir, emptyOutDir: true, target: 'es2022' },
  });
  app = await serveFolder(outDir);
  s = await startFlowServer({ allowedOrigins: [app.origin] });
  await apiClient(s.url, s.adminToken).secretManagers.create.mutate({
    name: 'Team Vault',
    provider: 'vault',
    authMethod: 'token',
    scope: 'PLATFORM',
    config: { url: s.vault.url, token: s.vaultToken },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await s?.stop();
  await app?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

it('renders <SecretReferenceField> in React: props as properties, typed event props, form value', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The one expected refusal: the app has no favicon (404).
  page.on('console', (m) => m.type() === 'error' && !/status of 404/.test(m.text()) && errors.push(m.text()));
  const session = (await (await fetch(`${s.url}/demo/api/session?projectId=${s.projects.a.id}`)).json()) as { token: string };
  await page.goto(`${app.origin}/?${new URLSearchParams({ api: s.url, token: session.token, project: s.projects.a.id })}`);

  await page.getByRole('button', { name: 'Use a secret manager' }).click();
  const panel = page.getByRole('dialog', { name: 'Use a secret' });
  await panel.getByRole('combobox', { name: 'Secret path' }).fill('secret/app/slack#bot_token');
  await panel.getByRole('button', { name: 'Use secret' }).click();

  await expect.poll(() => page.getByRole('status', { name: 'Chosen path' }).textContent()).toBe('secret/app/slack#bot_token');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect.poll(() => page.getByRole('status', { name: 'Saved value' }).textContent()).toMatch(/^\{\{sm:con_[\w-]+:secret\/app\/slack#bot_token\}\}$/);
  expect(errors).toEqual([]);
});

it('ships the declarations package.json points React users at', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, { types: string }> };
  const declarations = readFileSync(pkg.exports['./react']!.types, 'utf8');
  for (const name of ['SecretKeyPicker', 'SecretReferenceField', 'SecretManagerList', 'SecretManagerDialog']) {
    expect(declarations).toContain(`export declare const ${name}`);
  }
});
