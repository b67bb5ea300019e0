import { css } from 'lit';

/** The popup list's max-height: the room a combobox needs below it before it opens upwards. */
export const POPUP_LIST_HEIGHT = 264;

/** Option rows of a listbox, with the active (keyboard) one outlined. */
export const options = css`
  [role='option'] {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 6px 8px;
    border-radius: 6px;
    cursor: pointer;
  }
  [role='option']:hover,
  [role='option'].active {
    background: var(--_hover);
  }
  [role='option'].active {
    outline: 2px solid var(--_focus);
    outline-offset: -2px;
  }
`;

/** A combobox's list floating under its input, or above it inside an `.upwards` box. */
export const popupList = [
  options,
  css`
    .popup {
      position: absolute;
      top: 100%;
      right: 0;
      left: 0;
      z-index: 2;
      margin: 4px 0 0;
      padding: 4px;
      overflow-y: auto;
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      background: var(--_bg);
      box-shadow: var(--_shadow);
      list-style: none;
    }
    .upwards > .popup {
      top: auto;
      bottom: 100%;
      margin: 0 0 4px;
    }
  `,
  css`
    .popup {
      max-height: ${POPUP_LIST_HEIGHT}px;
    }
  `,
];
