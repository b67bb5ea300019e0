import { html, svg, type SVGTemplateResult } from 'lit';

/** Line icons (24×24, currentColor), decorative: the control around them carries the name. */
const icon = (body: SVGTemplateResult) =>
  html`<svg class="icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">${body}</svg>`;

export const icons = {
  plus: icon(svg`<path d="M12 5v14M5 12h14"/>`),
  close: icon(svg`<path d="M18 6 6 18M6 6l12 12"/>`),
  edit: icon(svg`<path d="M16.5 3.5a2.1 2.1 0 0 1 3 3L7.5 18.5 3 20l1.5-4.5Z"/>`),
  trash: icon(svg`<path d="M3 6h18M19 6v14a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2V6M8 6V4a2 2 0 0 1 2-2h4a2 2 0 0 1 2 2v2"/>`),
  refresh: icon(svg`<path d="M21 12a9 9 0 0 1-15.5 6.2L3 16M3 12a9 9 0 0 1 15.5-6.2L21 8M21 3v5h-5M3 21v-5h5"/>`),
  eye: icon(svg`<path d="M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12Z"/><circle cx="12" cy="12" r="3"/>`),
  search: icon(svg`<circle cx="11" cy="11" r="7"/><path d="m20 20-3.5-3.5"/>`),
  back: icon(svg`<path d="m15 18-6-6 6-6"/>`),
  next: icon(svg`<path d="m9 18 6-6-6-6"/>`),
  sortUp: icon(svg`<path d="m6 15 6-6 6 6"/>`),
  sortDown: icon(svg`<path d="m6 9 6 6 6-6"/>`),
  sortNone: icon(svg`<path d="m8 9 4-4 4 4M8 15l4 4 4-4"/>`),
  alert: icon(svg`<circle cx="12" cy="12" r="10"/><path d="M12 7v6M12 17h.01"/>`),
  check: icon(svg`<circle cx="12" cy="12" r="10"/><path d="m8 12 3 3 5-6"/>`),
  tick: icon(svg`<path d="m5 12 5 5 9-10"/>`),
  external: icon(svg`<path d="M14 4h6v6M10 14 20 4M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5"/>`),
  upload: icon(svg`<path d="M4 15v4a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-4M17 8l-5-5-5 5M12 3v12"/>`),
  folder: icon(svg`<path d="M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2Z"/>`),
  key: icon(svg`<circle cx="8" cy="15" r="5"/><path d="m11.5 11.5 9-9M16 7l3 3M19 4l2 2"/>`),
  signOut: icon(svg`<path d="M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9"/>`),
};
