import type { ReactiveController, ReactiveControllerHost } from 'lit';

const GAP = 6;
const MARGIN = 8;

export interface AnchoredPopoverOptions {
  popover(): HTMLElement | null | undefined;
  anchor(): HTMLElement | null | undefined;
}

/**
 * Keeps a native popover (top layer: no overflow or z-index of the host page can clip it,
 * even inside a modal dialog) next to its anchor while it is open. Positioned in script
 * rather than with CSS anchor positioning, which not every browser has yet: below the
 * anchor with right edges aligned, flipped above when there is no room below, and kept
 * inside the viewport as the page scrolls, the window resizes or the content grows.
 */
export class AnchoredPopover implements ReactiveController {
  private resizeObserver: ResizeObserver | undefined;

  constructor(
    host: ReactiveControllerHost,
    private readonly options: AnchoredPopoverOptions,
  ) {
    host.addController(this);
  }

  get isOpen(): boolean {
    return this.options.popover()?.matches(':popover-open') ?? false;
  }

  /** Call when the popover opened. */
  follow(): void {
    const popover = this.options.popover();
    if (!popover || this.resizeObserver) return;
    this.place();
    addEventListener('scroll', this.place, { capture: true, passive: true });
    addEventListener('resize', this.place, { passive: true });
    this.resizeObserver = new ResizeObserver(this.place);
    this.resizeObserver.observe(popover);
  }

  /** Call when the popover closed. */
  unfollow(): void {
    removeEventListener('scroll', this.place, { capture: true });
    removeEventListener('resize', this.place);
    this.resizeObserver?.disconnect();
    this.resizeObserver = undefined;
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.unfollow();
  }

  readonly place = (): void => {
    const popover = this.options.popover();
    const anchor = this.options.anchor();
    if (!popover || !anchor || !this.isOpen) return;
    const a = anchor.getBoundingClientRect();
    const { innerWidth: vw, innerHeight: vh } = window;
    const width = popover.offsetWidth;
    const height = popover.offsetHeight;
    const left = Math.max(MARGIN, Math.min(a.right - width, vw - width - MARGIN));
    const below = a.bottom + GAP;
    const above = a.top - GAP - height;
    const fitsBelow = below + height <= vh - MARGIN;
    const top = fitsBelow || above < MARGIN ? Math.max(MARGIN, Math.min(below, vh - height - MARGIN)) : above;
    popover.style.setProperty('left', `${left}px`);
    popover.style.setProperty('top', `${top}px`);
  };
}
