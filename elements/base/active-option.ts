import type { LitElement } from 'lit';

/**
 * The option Arrow Down (`step` 1) or Arrow Up (-1) makes active in an editable combobox's
 * list of `count`, wrapping around; with none active yet, the first or the last.
 */
export function stepActive(active: number, step: 1 | -1, count: number): number {
  if (count === 0) return -1;
  if (active < 0) return step === 1 ? 0 : count - 1;
  return (active + step + count) % count;
}

/** Scrolls the host's active option (`[role=option].active`) into view once it has rendered. */
export function revealActiveOption(host: LitElement): void {
  void host.updateComplete.then(() => host.renderRoot.querySelector('[role=option].active')?.scrollIntoView({ block: 'nearest' }));
}
