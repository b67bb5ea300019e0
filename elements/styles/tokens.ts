import { css } from 'lit';

/**
 * The theme: every colour, radius and shadow reads a public `--sm-*` custom property and
 * falls back to our default for light or dark. `light-dark()` follows the element's
 * `color-scheme`: the user's `prefers-color-scheme`, unless the `theme` attribute pins one.
 */
export const tokens = css`
  :host {
    color-scheme: light dark;
    --_bg: var(--sm-color-background, light-dark(#ffffff, #15171c));
    --_surface: var(--sm-color-surface, light-dark(#f6f7f9, #1c1f26));
    --_hover: var(--sm-color-hover, light-dark(#eceef2, #272b35));
    --_text: var(--sm-color-text, light-dark(#191c22, #e7e9ee));
    --_muted: var(--sm-color-text-muted, light-dark(#555d6c, #a3aab7));
    --_border: var(--sm-color-border, light-dark(#d9dde4, #343944));
    --_primary: var(--sm-color-primary, light-dark(#4338ca, #a5b4fc));
    --_on-primary: var(--sm-color-on-primary, light-dark(#ffffff, #15173a));
    --_danger: var(--sm-color-danger, light-dark(#b42318, #ff9b8f));
    --_on-danger: var(--sm-color-on-danger, light-dark(#ffffff, #2d0b07));
    --_success: var(--sm-color-success, light-dark(#116b2c, #72df8e));
    --_focus: var(--sm-color-focus, var(--_primary));
    --_radius: var(--sm-radius, 8px);
    --_shadow: var(--sm-shadow, 0 1px 3px rgb(0 0 0 / 0.08), 0 16px 40px rgb(0 0 0 / 0.22));
    font-family: var(--sm-font-family, inherit);
    font-size: var(--sm-font-size, 0.875rem);
    line-height: 1.45;
    color: var(--_text);
  }
  :host([theme='light']) {
    color-scheme: light;
  }
  :host([theme='dark']) {
    color-scheme: dark;
  }
`;
