import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { get, type IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { startDemo, type RunningDemo } from './support/demo.ts';

const OUT = 'test-output/e2e';

/** A GET whose body stays as sent (fetch would decode it), with the given Accept-Encoding. */
function rawGet(url: string, acceptEncoding?: string, ifNoneMatch?: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  const headers = { ...(acceptEncoding && { 'accept-encoding': acceptEncoding }), ...(ifNoneMatch && { 'if-none-match': ifNoneMatch }) };
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    }).on('error', reject);
  });
}

let demo: RunningDemo;
let browser: Browser;
let page: Page;
/** Console errors (CSP violations among them) and uncaught exceptions on the page. */
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync('dist/elements/admin-page/index.html')) throw new Error('The admin page is not built: run `npm run build` first.');
  await mkdir(OUT, { recursive: true });
  demo = await startDemo();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

describe('the standalone admin page', () => {
  it('opens from the demo URL: the token moves to sessionStorage and out of the address bar', async () => {
    const response = await page.goto(demo.adminUrl);
    const headers = response!.headers();
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' });

    await expect.poll(() => page.getByRole('row', { name: /Demo Vault/ }).count()).toBe(1);
    expect(page.url()).not.toContain('token');
    expect(await page.evaluate(() => sessionStorage.getItem('secret-managers.token'))).toBe(demo.adminToken);
    await expect.poll(() => page.getByRole('row', { name: /Demo Vault.*Connected/ }).count()).toBe(1);
    await page.screenshot({ path: `${OUT}/admin-page.png`, fullPage: true });
  });

  it('signs out, refuses a wrong key, and signs in with a pasted API key', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    const key = page.getByLabel('Admin API key');
    await key.fill('sm_admin_wrong');
    await key.press('Enter');
    await expect.poll(() => page.getByText('The API key is not valid or was revoked.').count()).toBe(1);
    await page.screenshot({ path: `${OUT}/sign-in.png` });

    await key.fill(demo.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('row', { name: /Demo Vault/ }).count()).toBe(1);
  });

  it('adds and renames a project', async () => {
    await page.getByLabel('New project name').fill('QA automations');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('button', { name: 'Rename QA automations' }).click();
    const name = page.getByLabel('New name for QA automations');
    await name.fill('QA flows');
    await name.press('Enter');
    await expect.poll(() => page.getByRole('button', { name: 'Rename QA flows' }).count()).toBe(1);
  });

  it('creates a Vault connection limited to a project, then deletes it', async () => {
    await page.getByRole('button', { name: 'New connection' }).click();
    await page.getByRole('button', { name: /HashiCorp Vault/ }).click();
    await page.getByLabel('Name', { exact: true }).fill('E2E Vault');
    await page.getByRole('radio', { name: 'Selected projects' }).check();
    await page.getByRole('combobox', { name: 'Projects' }).fill('QA');
    await page.getByRole('option', { name: 'QA flows' }).click();
    await page.getByRole('textbox', { name: 'Vault address' }).fill(demo.vault.url);
    // "Token" also names the auth method choice; the field is the one with the id.
    const token = page.locator('#f-token');
    await token.fill('hvs.wrong-token');
    await page.getByRole('button', { name: 'Create connection' }).click();
    await expect.poll(() => page.getByText('AUTHENTICATION_FAILED').count()).toBe(1);
    await page.screenshot({ path: `${OUT}/dialog-auth-failed.png` });

    await token.fill(demo.vault.rootToken);
    await page.screenshot({ path: `${OUT}/new-connection-dialog.png` });
    await page.getByRole('button', { name: 'Create connection' }).click();

    const row = page.getByRole('row', { name: /E2E Vault/ });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.innerText()).toMatch(/Project\s+QA flows[\s\S]*Connected/);
    await expect.poll(() => page.getByText('Connection “E2E Vault” created.').count()).toBe(1);
    await page.screenshot({ path: `${OUT}/after-create.png`, fullPage: true });

    await page.getByRole('button', { name: 'Edit E2E Vault' }).click();
    await expect.poll(() => token.getAttribute('placeholder')).toBe('Unchanged');
    await page.screenshot({ path: `${OUT}/edit-dialog.png` });
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Delete E2E Vault' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete “E2E Vault”?' });
    await expect.poll(() => confirm.count()).toBe(1);
    await page.screenshot({ path: `${OUT}/delete-confirmation.png` });
    await confirm.getByRole('button', { name: 'Delete connection' }).click();
    await expect.poll(() => row.count()).toBe(0);
  });

  it('looks right in dark mode', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(300); // colour transitions end
    await page.screenshot({ path: `${OUT}/admin-page-dark.png`, fullPage: true });
    await page.getByRole('button', { name: 'New connection' }).click();
    await page.getByRole('button', { name: /HashiCorp Vault/ }).click();
    await page.getByRole('button', { name: 'Create connection' }).click();
    await expect.poll(() => page.getByText('Enter a name').count()).toBe(1);
    await page.screenshot({ path: `${OUT}/dialog-errors-dark.png` });
    await page.keyboard.press('Escape');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${OUT}/admin-page-narrow.png`, fullPage: true });
    await page.getByRole('button', { name: 'New connection' }).click();
    await page.getByRole('button', { name: /HashiCorp Vault/ }).click();
    await page.screenshot({ path: `${OUT}/dialog-narrow.png` });
    await page.keyboard.press('Escape');
  });

  it('serves the element bundles under a stable path, and nothing else', async () => {
    const base = new URL(demo.adminUrl).origin;
    const bundle = await fetch(`${base}/elements/secret-managers.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(bundle.headers.get('cache-control')).toBe('no-cache');
    expect(bundle.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const chunk = /from"\.\/(chunks\/[^"]+)"/.exec(await bundle.text())![1];
    expect((await fetch(`${base}/elements/${chunk}`)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const again = await fetch(`${base}/elements/secret-managers.js`, { headers: { 'if-none-match': bundle.headers.get('etag')! } });
    expect(again.status).toBe(304);
    for (const path of ['/elements/%2e%2e/%2e%2e/package.json', '/elements/.vite/manifest.json', '/elements/nothing.js']) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    }
  });

  it('sends the bundles and the page compressed at build time, as the client accepts', async () => {
    const origin = new URL(demo.adminUrl).origin;
    for (const path of ['/elements/secret-managers.js', '/']) {
      const plain = await rawGet(`${origin}${path}`);
      expect(plain.headers['content-encoding'], path).toBeUndefined();
      const brotli = await rawGet(`${origin}${path}`, 'gzip, deflate, br');
      const gzip = await rawGet(`${origin}${path}`, 'gzip, deflate');
      expect([brotli.headers['content-encoding'], gzip.headers['content-encoding']], path).toEqual(['br', 'gzip']);
      expect(brotliDecompressSync(brotli.body).equals(plain.body), path).toBe(true);
      expect(gunzipSync(gzip.body).equals(plain.body), path).toBe(true);
      expect(brotli.body.length, path).toBeLessThan(gzip.body.length);
      expect(gzip.body.length, path).toBeLessThan(plain.body.length);
      for (const response of [plain, brotli, gzip]) expect(response.headers.vary?.toLowerCase().split(/, */), path).toEqual(['origin', 'accept-encoding']);
      expect(new Set([plain, brotli, gzip].map((r) => r.headers.etag)).size, 'one validator per encoding').toBe(3);
    }
    const refused = await rawGet(`${origin}/elements/secret-managers.js`, 'br;q=0, gzip;q=0');
    expect(refused.headers['content-encoding']).toBeUndefined();
    const brotli = await rawGet(`${origin}/elements/secret-managers.js`, 'br');
    expect((await rawGet(`${origin}/elements/secret-managers.js`, 'br', brotli.headers.etag)).status).toBe(304);
    expect((await rawGet(`${origin}/elements/secret-managers.js`, 'gzip', brotli.headers.etag)).status).toBe(200);
  });

  it('breaks no CSP rule, throws nothing, and logs no token', async () => {
    // The browser reports the calls the test had refused on purpose: the wrong key (401), the wrong Vault token (422).
    const refused = /Failed to load resource: the server responded with a status of (401|422)/;
    expect(pageErrors.filter((e) => !refused.test(e))).toEqual([]);
    expect(pageErrors.filter((e) => refused.test(e))).toHaveLength(2);
    const logLines = demo.output.filter((line) => line.startsWith('{'));
    // At debug, the most it logs: a line per request (at info none), and still no token in any.
    expect(logLines.some((line) => line.includes('"msg":"request answered"') && line.includes('"path":"/"')), 'requests are logged').toBe(true);
    for (const secret of [demo.adminToken, demo.vault.rootToken, 'sm_admin_wrong']) {
      expect(logLines.filter((line) => line.includes(secret))).toEqual([]);
    }
  });
});
