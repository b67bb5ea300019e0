/** What a host configures the elements with; every entry point exports it. */
export { configure, createClient, type ClientOptions, type SecretManagersClient, type TokenSource } from './client.ts';
export { msg as messages, setMessages, type Messages } from './messages.ts';
export type { CacheClearedDetail, ConnectionEventDetail, ProjectsChangedDetail, ReferenceChangeDetail } from './events.ts';
