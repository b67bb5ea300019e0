import { html, svg, type SVGTemplateResult, type TemplateResult } from 'lit';

/**
 * Small inline marks per known provider id (no network fetch, no CSP exception). A
 * provider the UI does not know yet gets the generic key mark, so new providers from
 * `providers.list` render before anyone draws their logo.
 */
const marks: Record<string, SVGTemplateResult> = {
  vault: svg`<rect width="24" height="24" rx="5" fill="#ffd814"/><path d="M3.5 5h17L12 21z" fill="#000"/><path d="M9 7.5h1.7v1.7H9zm2.15 0h1.7v1.7h-1.7zm2.15 0H15v1.7h-1.7zM9 9.65h1.7v1.7H9zm2.15 0h1.7v1.7h-1.7zm2.15 0H15v1.7h-1.7zm-2.15 2.15h1.7v1.7h-1.7z" fill="#ffd814"/>`,
  aws: svg`<rect width="24" height="24" rx="5" fill="#232f3e"/><path d="M5 13.5c4.2 2.9 9.8 2.9 14 0" fill="none" stroke="#ff9900" stroke-width="1.8" stroke-linecap="round"/><path d="M16.6 12.6l2.6.7-.8 2.5" fill="none" stroke="#ff9900" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/><path d="M7 6.5h2.2l2.4 5M14 6.5l1.4 5 1.6-5" fill="none" stroke="#fff" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round"/>`,
  azure: svg`<rect width="24" height="24" rx="5" fill="#fff" stroke="#d9dde4"/><path d="M9.6 4h4.6L8.3 20H3.5z" fill="#0a5fb4"/><path d="M14.9 8.2 20.5 20h-9.6l4.3-1.3-2.6-3.6z" fill="#1e90ff"/>`,
  gcp: svg`<rect width="24" height="24" rx="5" fill="#fff" stroke="#d9dde4"/><path d="M14.6 8.3A5.3 5.3 0 0 0 6.8 11" fill="none" stroke="#ea4335" stroke-width="2.2" stroke-linecap="round"/><path d="M14.6 8.3a5.2 5.2 0 0 1 1.9 3.2 3.3 3.3 0 0 1 .2 6.5" fill="none" stroke="#4285f4" stroke-width="2.2" stroke-linecap="round"/><path d="M16.7 18H9" fill="none" stroke="#34a853" stroke-width="2.2" stroke-linecap="round"/><path d="M9 18a3.5 3.5 0 0 1-2.2-7" fill="none" stroke="#fbbc04" stroke-width="2.2" stroke-linecap="round"/>`,
};

const fallback = svg`<rect width="24" height="24" rx="5" fill="currentColor" opacity=".12"/><circle cx="9" cy="14.5" r="3.6" fill="none" stroke="currentColor" stroke-width="1.8"/><path d="m11.6 12 6.4-6.4M15.5 8.1l2 2" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/>`;

export function providerLogo(providerId: string, size = 24): TemplateResult {
  return html`<svg class="logo" part="logo" width=${size} height=${size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">${marks[providerId] ?? fallback}</svg>`;
}
