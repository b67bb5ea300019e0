import { html, nothing, type TemplateResult } from 'lit';
import type { ConnectionDto } from '../../shared/connections.ts';
import type { SecretReference } from '../../shared/reference.ts';
import { icons } from '../icons.ts';
import { msg } from '../messages.ts';

export interface ChipOptions {
  reference: SecretReference;
  /** The connections usable here; undefined while they load. */
  connections: ConnectionDto[] | undefined;
  /** The field's name, for screen readers. */
  label: string;
  /** The panel is open. */
  expanded: boolean;
  disabled: boolean;
  onClear: () => void;
}

/**
 * The chosen reference in place of a typed value: "🔑 <connection> · <path>" opens the
 * panel to change it (popovertarget), × goes back to typing. A reference to a connection
 * this context cannot use says so instead of showing a name.
 */
export function renderReferenceChip({ reference, connections, label, expanded, disabled, onClear }: ChipOptions): TemplateResult {
  const connection = connections?.find((c) => c.id === reference.connectionId);
  // Until the connections are known, the chip says nothing about the name rather than guess.
  const missing = connections !== undefined && !connection;
  const name = connection?.name ?? (missing ? msg.unavailableConnection : '');
  return html`<span class="chip ${missing ? 'missing' : ''}" part="chip">
    <button
      type="button"
      class="trigger chip-main"
      popovertarget="popover"
      aria-haspopup="dialog"
      aria-expanded=${expanded ? 'true' : 'false'}
      aria-describedby="chip-help"
      title=${missing ? msg.unavailableConnectionHint : `${name} · ${reference.path}`}
      ?disabled=${disabled}
    >
      ${missing ? icons.alert : icons.key}
      ${name ? html`<span class="chip-name">${name}</span> <span class="separator" aria-hidden="true">·</span>` : nothing}
      <code class="chip-path">${reference.path}</code>
    </button>
    <span id="chip-help" class="visually-hidden">${msg.referenceChipHelp(label)}</span>
    <button type="button" class="icon-button clear" aria-label=${msg.typeValueInstead} title=${msg.typeValueInstead} ?disabled=${disabled} @click=${onClear}>
      ${icons.close}
    </button>
  </span>`;
}
