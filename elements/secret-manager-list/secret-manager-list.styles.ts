import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    background: var(--_bg);
  }
  .header {
    display: flex;
    flex-wrap: wrap;
    align-items: flex-start;
    justify-content: space-between;
    gap: 12px 24px;
    margin-bottom: 16px;
  }
  .header > div:first-child {
    flex: 1 1 280px;
  }
  h2 {
    margin: 0 0 4px;
    font-size: 1.43em;
    line-height: 1.25;
  }
  h2:focus {
    outline: none;
  }
  .description {
    margin: 0;
    color: var(--_muted);
  }
  .header-actions {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
  }

  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
    margin-bottom: 12px;
  }
  .search {
    flex: 1 1 260px;
    max-width: 420px;
  }
  .toolbar select.input {
    width: auto;
  }
  .count {
    margin: 0 0 0 auto;
    color: var(--_muted);
    white-space: nowrap;
  }

  /* Positioned, so hidden labels and tooltips inside scroll with the table instead of widening the page. */
  .table-wrap {
    position: relative;
    overflow-x: auto;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  table {
    width: 100%;
    border-collapse: collapse;
  }
  th,
  td {
    padding: 10px;
    text-align: start;
    vertical-align: middle;
  }
  th {
    padding-block: 6px;
    background: var(--_surface);
    border-bottom: 1px solid var(--_border);
    color: var(--_muted);
    font-size: 0.857em;
    font-weight: 600;
    white-space: nowrap;
  }
  tbody tr + tr td {
    border-top: 1px solid var(--_border);
  }
  tbody tr:hover td {
    background: color-mix(in srgb, var(--_hover) 55%, transparent);
  }
  .sort {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    margin-inline: -6px;
    padding: 4px 6px;
    border: 0;
    border-radius: 4px;
    background: none;
    color: inherit;
    font-weight: inherit;
    cursor: pointer;
  }
  .sort:hover {
    color: var(--_text);
  }
  .sort .icon {
    width: 14px;
    height: 14px;
    opacity: 0.55;
  }
  [aria-sort] .sort {
    color: var(--_text);
  }
  [aria-sort] .sort .icon {
    opacity: 1;
  }

  .name {
    display: flex;
    align-items: center;
    gap: 10px;
    min-width: 180px;
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .logo {
    flex: none;
  }
  .sub {
    display: block;
    color: var(--_muted);
    font-size: 0.857em;
  }
  .scope {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 4px 6px;
    min-width: 140px;
  }
  .badge.project {
    border-color: color-mix(in srgb, var(--_primary) 35%, transparent);
    background: color-mix(in srgb, var(--_primary) 9%, var(--_bg));
  }
  .status {
    display: inline-flex;
    align-items: center;
    gap: 6px;
    font-weight: 550;
    white-space: nowrap;
  }
  .dot {
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: var(--_muted);
  }
  .connected .dot {
    background: var(--_success);
  }
  .failed {
    color: var(--_danger);
  }
  .failed .dot {
    background: var(--_danger);
  }
  .reason {
    display: -webkit-box;
    max-width: 280px;
    overflow: hidden;
    -webkit-line-clamp: 2;
    -webkit-box-orient: vertical;
    color: var(--_muted);
    font-size: 0.857em;
  }
  .reason.hint {
    margin-top: 2px;
    -webkit-line-clamp: 3;
  }
  .checking .spinner {
    width: 10px;
    height: 10px;
    border-width: 1.5px;
  }
  time,
  .sub {
    white-space: nowrap;
  }
  .actions {
    width: 1%;
    white-space: nowrap;
    text-align: end;
  }
  .tip {
    position: relative;
    display: inline-flex;
  }
  /* Not rendered until shown: a page of rows carries dozens of them. */
  [role='tooltip'] {
    display: none;
    position: absolute;
    top: 50%;
    right: calc(100% + 6px);
    z-index: 1;
    width: max-content;
    max-width: 240px;
    padding: 6px 10px;
    border-radius: 6px;
    background: var(--_text);
    color: var(--_bg);
    font-size: 0.857em;
    white-space: normal;
    text-align: start;
    translate: 0 -50%;
    pointer-events: none;
  }
  .tip:hover [role='tooltip'],
  .tip:focus-within [role='tooltip'] {
    display: block;
  }
  .tip.dismissed [role='tooltip'] {
    display: none;
  }
  .icon-button.danger:hover {
    color: var(--_danger);
  }

  .pager {
    display: flex;
    align-items: center;
    justify-content: flex-end;
    gap: 12px;
    margin-top: 12px;
    color: var(--_muted);
  }
  .pager nav {
    display: flex;
    align-items: center;
    gap: 4px;
  }
  .pager .icon-button {
    border-color: var(--_border);
  }

  .empty {
    display: grid;
    justify-items: center;
    gap: 8px;
    padding: 48px 24px;
    border: 1px dashed var(--_border);
    border-radius: var(--_radius);
    text-align: center;
  }
  .empty h3 {
    margin: 8px 0 0;
    font-size: 1.15em;
  }
  .empty p {
    max-width: 560px;
    margin: 0 0 12px;
    color: var(--_muted);
  }
  .empty-icon {
    display: grid;
    place-items: center;
    width: 48px;
    height: 48px;
    border-radius: 50%;
    background: color-mix(in srgb, var(--_primary) 12%, var(--_bg));
    color: var(--_primary);
  }
  .empty-icon .icon {
    width: 24px;
    height: 24px;
  }
  .notice {
    margin-bottom: 12px;
  }

  .skeleton td div {
    width: 70%;
    height: 12px;
    border-radius: 6px;
    background: linear-gradient(90deg, var(--_surface), var(--_hover), var(--_surface));
    background-size: 200% 100%;
    animation: sm-shimmer 1.2s ease-in-out infinite;
  }
  @keyframes sm-shimmer {
    to {
      background-position: -200% 0;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .skeleton td div {
      animation: none;
    }
  }
`;
