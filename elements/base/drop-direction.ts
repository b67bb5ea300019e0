/**
 * The part of the viewport where `element` can be seen: the viewport cut down by every
 * scrolling ancestor, across shadow roots (a list inside the picker's panel cannot show
 * past the panel's edge), up to the first one in the top layer, which nothing clips.
 */
function visibleBand(element: Element): { top: number; bottom: number } {
  let top = 0;
  let bottom = window.innerHeight;
  for (let node: Node | null = element.parentNode; node; node = node instanceof ShadowRoot ? node.host : node.parentNode) {
    if (!(node instanceof Element)) continue;
    if (getComputedStyle(node).overflowY !== 'visible') {
      const rect = node.getBoundingClientRect();
      top = Math.max(top, rect.top);
      bottom = Math.min(bottom, rect.bottom);
    }
    if (node.matches(':popover-open, :modal')) break;
  }
  return { top, bottom };
}

/**
 * Whether a list of up to `height` px dropping from `anchor` should open upwards: when it
 * would be cut off below and there is more room above (a panel near the bottom of the
 * window, a short dialog).
 */
export function opensUpwards(anchor: Element, height: number): boolean {
  const rect = anchor.getBoundingClientRect();
  const band = visibleBand(anchor);
  const below = band.bottom - rect.bottom;
  return below < height && rect.top - band.top > below;
}
