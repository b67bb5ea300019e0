/** The `secret-key-picker.js` entry point: the key picker alone and the host set-up. */
export * from '../setup.ts';
export { SecretKeyPicker } from './secret-key-picker.ts';
