import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { build } from 'vite';
import type { ConnectionDto } from '../shared/connections.ts';
import { launchChromium } from '../test/support/chromium.ts';
import type { ProviderInfo } from '../shared/providers/index.ts';

export interface BundleSize {
  entry: string;
  /** What a host downloads for it: the entry and every chunk it imports, now or later, as the server sends them (the build's gzip -9 copies). */
  gzipBytes: number;
  /** The same with the build's Brotli copies, which browsers that accept `br` get. */
  brotliBytes: number;
}

export interface ElementsBench {
  /** Per entry point, Lit and the tRPC client included. */
  bundles: BundleSize[];
  /** First render of `<secret-manager-list>` with 1,000 connections ÷ with 10 (medians), in Chromium. */
  listRenderRatio: number;
  /** The medians behind the ratio, in milliseconds. */
  render10Ms: number;
  render1000Ms: number;
}

const ORIGIN = 'http://bench.invalid';
const RUNS = 25;

/** The entry and every chunk it imports, transitively, statically or dynamically. */
async function bundleFiles(dir: string, entry: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const imports = /(?:from|import)\s*\(?\s*["`]\.\/([^"`]+)["`]/g;
  const visit = async (file: string) => {
    if (files.has(file)) return;
    const code = await readFile(join(dir, file));
    files.set(file, code);
    for (const [, spec] of code.toString().matchAll(imports)) await visit(join(file, '..', spec!));
  };
  await visit(entry);
  return files;
}

async function bundleSize(dir: string, entry: string): Promise<BundleSize> {
  const files = [...(await bundleFiles(dir, entry)).keys()];
  const bytes = async (suffix: string) => (await Promise.all(files.map(async (file) => (await stat(join(dir, file + suffix))).size))).reduce((a, b) => a + b, 0);
  return { entry, gzipBytes: await bytes('.gz'), brotliBytes: await bytes('.br') };
}

function connections(count: number): ConnectionDto[] {
  const providers = ['vault', 'aws', 'azure', 'gcp'] as ConnectionDto['provider'][];
  const at = new Date(Date.UTC(2025, 0, 1)).toISOString();
  return Array.from({ length: count }, (_, i) => ({
    id: `con_${i.toString(36).padStart(6, '0')}`,
    name: `Connection ${(count * 7919 + i * 104729) % 100000}`,
    provider: providers[i % providers.length]!,
    authMethod: 'token',
    scope: i % 3 === 0 ? 'PROJECT' : 'PLATFORM',
    projects: i % 3 === 0 ? [{ id: 'prj_1', name: 'Marketing automations' }] : [],
    canManage: true,
    config: {},
    status: i % 10 === 0 ? { state: 'failed', code: 'AUTHENTICATION_FAILED', message: 'permission denied', checkedAt: at } : { state: 'connected', checkedAt: at },
    createdBy: 'bench',
    createdAt: at,
    updatedAt: at,
  }));
}

const providerInfo: ProviderInfo[] = (['vault', 'aws', 'azure', 'gcp'] as ProviderInfo['id'][]).map((id) => ({
  id,
  name: id,
  description: '',
  docsUrl: '',
  authMethods: [{ id: 'token', label: 'Token', fields: [] }],
  path: { placeholder: '', help: '', examples: [] },
}));

/**
 * The page times one list from insertion to laid out rows. Its client answers at once,
 * so the ratio is the element's own cost (sorting, filtering, rendering), not the network.
 */
const page = `<!doctype html><meta charset="utf-8"><body><script type="module">
import './secret-managers.js';
window.renderList = async (providers, connections) => {
  const client = {
    providers: { list: { query: async () => providers } },
    secretManagers: { list: { query: async () => connections } },
  };
  const list = document.createElement('secret-manager-list');
  list.client = client;
  const start = performance.now();
  document.body.append(list);
  while (!list.shadowRoot.querySelector('tr[part=row]')) await list.updateComplete;
  list.getBoundingClientRect();
  document.body.offsetHeight;
  const took = performance.now() - start;
  list.remove();
  return took;
};
</script>`;

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Sizes the given entry points and renders the list in Chromium. */
export async function benchElements(entries: string[]): Promise<ElementsBench> {
  const outDir = await mkdtemp(join(tmpdir(), 'sm-bench-elements-'));
  try {
    await build({ configFile: resolve(import.meta.dirname, '../vite.config.ts'), logLevel: 'silent', build: { outDir, emptyOutDir: true } });
    const bundles = await Promise.all(entries.map((entry) => bundleSize(outDir, entry)));
    const files = await bundleFiles(outDir, 'secret-managers.js');

    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      await tab.route(`${ORIGIN}/**`, async (route) => {
        const path = new URL(route.request().url()).pathname;
        if (path === '/') return route.fulfill({ contentType: 'text/html', body: page });
        const body = files.get(path.slice(1));
        return body ? route.fulfill({ contentType: extname(path) === '.js' ? 'text/javascript' : 'text/plain', body }) : route.fulfill({ status: 404 });
      });
      await tab.goto(`${ORIGIN}/`);
      await tab.waitForFunction('typeof window.renderList === "function"');
      const render = (count: number) => tab.evaluate(([p, c]) => (window as unknown as { renderList: (...a: unknown[]) => Promise<number> }).renderList(p, c), [providerInfo, connections(count)] as const);
      const ten: number[] = [];
      const thousand: number[] = [];
      for (let i = -5; i < RUNS; i++) {
        // Alternating, so whatever else the machine does weighs on both alike; the first runs warm up.
        const [a, b] = [await render(10), await render(1000)];
        if (i >= 0) {
          ten.push(a);
          thousand.push(b);
        }
      }
      const render10Ms = median(ten);
      const render1000Ms = median(thousand);
      return { bundles, listRenderRatio: render1000Ms / render10Ms, render10Ms, render1000Ms };
    } finally {
      await browser.close();
    }
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
