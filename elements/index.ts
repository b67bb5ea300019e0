/**
 * Every element of Secret Managers, defined on import, and the host set-up.
 * Per-element entry points (`secret-manager-list.js`, `secret-manager-dialog.js`,
 * `secret-key-picker.js`, `secret-reference-field.js`) load less.
 */
export * from './setup.ts';
export { SecretManagerList } from './secret-manager-list/secret-manager-list.ts';
export { SecretManagerDialog } from './secret-manager-dialog/secret-manager-dialog.ts';
export { SecretKeyPicker } from './secret-key-picker/secret-key-picker.ts';
export { SecretReferenceField } from './secret-reference-field/secret-reference-field.ts';
export { SmConfirmDialog } from './sm-confirm-dialog/sm-confirm-dialog.ts';
export { SmProjectSelect } from './sm-project-select/sm-project-select.ts';
export { SmToastStack } from './sm-toast-stack/sm-toast-stack.ts';
