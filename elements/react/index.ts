/**
 * React components for the elements (`@lit/react`): properties are set as properties (so
 * objects such as `client` pass through), and our events are typed `on…` props. React
 * itself is the host app's: this entry imports it, and the build leaves it external.
 *
 * ```tsx
 * <SecretReferenceField name="botToken" label="Bot Token" projectId={project.id} onReferenceChange={(e) => save(e.detail)} />
 * ```
 */
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import type { CacheClearedDetail, ConnectionEventDetail, ReferenceChangeDetail } from '../events.ts';
import { SecretKeyPicker as SecretKeyPickerElement } from '../secret-key-picker/secret-key-picker.ts';
import { SecretManagerDialog as SecretManagerDialogElement } from '../secret-manager-dialog/secret-manager-dialog.ts';
import { SecretManagerList as SecretManagerListElement } from '../secret-manager-list/secret-manager-list.ts';
import { SecretReferenceField as SecretReferenceFieldElement } from '../secret-reference-field/secret-reference-field.ts';

export * from '../setup.ts';
export type { SecretKeyPickerElement, SecretManagerDialogElement, SecretManagerListElement, SecretReferenceFieldElement };

const referenceEvents = {
  onChange: 'change',
  onReferenceChange: 'sm-reference-change' as EventName<CustomEvent<ReferenceChangeDetail>>,
  onAuthExpired: 'sm-auth-expired' as EventName<CustomEvent<Record<string, never>>>,
};

const connectionEvents = {
  onConnectionCreated: 'sm-connection-created' as EventName<CustomEvent<ConnectionEventDetail>>,
  onConnectionUpdated: 'sm-connection-updated' as EventName<CustomEvent<ConnectionEventDetail>>,
};

const sessionEvents = {
  onUnauthorized: 'sm-unauthorized' as EventName<CustomEvent<Record<string, never>>>,
};

export const SecretKeyPicker = createComponent({
  react: React,
  tagName: 'secret-key-picker',
  elementClass: SecretKeyPickerElement,
  events: { ...referenceEvents, ...sessionEvents },
  displayName: 'SecretKeyPicker',
});

export const SecretReferenceField = createComponent({
  react: React,
  tagName: 'secret-reference-field',
  elementClass: SecretReferenceFieldElement,
  events: { ...referenceEvents, ...sessionEvents, onInput: 'input' },
  displayName: 'SecretReferenceField',
});

export const SecretManagerList = createComponent({
  react: React,
  tagName: 'secret-manager-list',
  elementClass: SecretManagerListElement,
  events: {
    ...connectionEvents,
    ...sessionEvents,
    onConnectionDeleted: 'sm-connection-deleted' as EventName<CustomEvent<ConnectionEventDetail>>,
    onCacheCleared: 'sm-cache-cleared' as EventName<CustomEvent<CacheClearedDetail>>,
  },
  displayName: 'SecretManagerList',
});

export const SecretManagerDialog = createComponent({
  react: React,
  tagName: 'secret-manager-dialog',
  elementClass: SecretManagerDialogElement,
  events: { ...connectionEvents, onClose: 'close' },
  displayName: 'SecretManagerDialog',
});
