/** The `secret-reference-field.js` entry point: the field (with its key picker) and the host set-up. */
export * from '../setup.ts';
export { SecretKeyPicker } from '../secret-key-picker/secret-key-picker.ts';
export { SecretReferenceField } from './secret-reference-field.ts';
