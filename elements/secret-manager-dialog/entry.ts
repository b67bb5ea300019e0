/** The `secret-manager-dialog.js` entry point: the dialog alone and the host set-up. */
export * from '../setup.ts';
export { SecretManagerDialog } from './secret-manager-dialog.ts';
