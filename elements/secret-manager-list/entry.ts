/** The `secret-manager-list.js` entry point: the list (with its dialogs) and the host set-up. */
export * from '../setup.ts';
export { SecretManagerList } from './secret-manager-list.ts';
