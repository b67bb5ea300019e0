import { errorCodeInfo, type SecretManagerErrorCode } from '../shared/errors.ts';
import { settingsChanged } from './base/changes.ts';

const count = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

/**
 * Every text the elements show, in one place so a host can translate them:
 * `setMessages({ newConnection: 'Nouvelle connexion', … })`. Texts that take values are
 * functions. Errors from the server show the taxonomy title from here and the provider's
 * own message and hint as the server sends them.
 */
const english = {
  // Shared
  close: 'Close',
  cancel: 'Cancel',
  retry: 'Try again',
  optional: 'optional',
  loading: 'Loading…',
  dismiss: 'Dismiss',
  opensInNewTab: '(opens in a new tab)',

  // Problems reaching the server
  unreachableTitle: 'Cannot reach the Secret Managers server',
  unreachableHint: (url: string) =>
    `Check that the server at ${url} is running and reachable from this browser (network, VPN, proxy), then try again.`,
  unauthorizedTitle: 'Your session has expired or the token is not valid',
  unauthorizedHint: 'Sign in again, or ask your platform administrator for a new token.',
  forbiddenTitle: 'You are not allowed to do this',
  forbiddenHint: 'Managing secret manager connections needs an admin token.',
  notFoundTitle: 'Not found',
  notFoundHint: 'It may have been deleted by someone else. Reload to see the current state.',
  conflictTitle: 'Conflicts with existing data',
  invalidTitle: 'Some values are not valid',
  invalidHint: 'Correct the highlighted fields and try again.',
  serverErrorTitle: 'The server could not complete the request',
  serverErrorHint: 'Try again in a moment. If it keeps failing, the server log has the details.',
  errorTitles: Object.fromEntries(Object.entries(errorCodeInfo).map(([code, info]) => [code, info.title])) as Record<SecretManagerErrorCode, string>,
  errorHints: Object.fromEntries(Object.entries(errorCodeInfo).map(([code, info]) => [code, info.hint])) as Record<SecretManagerErrorCode, string>,

  // <secret-manager-list>
  listTitle: 'Secret managers',
  listDescription: 'Connections to the secret managers your flows read credentials from, by reference.',
  newConnection: 'New connection',
  loadingConnections: 'Loading connections…',
  emptyTitle: 'Connect your first secret manager',
  emptyBody:
    'A secret manager connection tells this platform how to reach a vault such as HashiCorp Vault, AWS Secrets Manager, Azure Key Vault or Google Secret Manager. Flows then use a reference like {{sm:connection:path}} instead of a pasted credential: the value stays in your secret manager and is fetched when a flow runs.',
  filterLabel: 'Filter connections',
  filterPlaceholder: 'Filter by name, provider or project',
  providerFilterLabel: 'Provider',
  allProviders: 'All providers',
  scopeFilterLabel: 'Scope',
  allScopes: 'All scopes',
  noMatchesTitle: 'No connections match these filters',
  clearFilters: 'Clear filters',
  resultCount: (shown: number, total: number) =>
    shown === total ? count(total, 'connection', 'connections') : `${shown.toLocaleString()} of ${count(total, 'connection', 'connections')}`,
  columnName: 'Name',
  columnProvider: 'Provider',
  columnScope: 'Scope',
  columnStatus: 'Status',
  columnUpdated: 'Updated',
  columnActions: 'Actions',
  scopePlatform: 'Platform',
  scopeProject: 'Project',
  scopePlatformHelp: 'Every project can use it',
  moreProjects: (n: number) => `+${n} more`,
  statusConnected: 'Connected',
  statusFailed: 'Failed',
  statusUndecryptable: 'Cannot decrypt',
  statusChecking: 'Checking…',
  statusUnknown: 'Not checked yet',
  checkedAt: (when: string) => `Checked ${when}`,
  createdOn: (when: string) => `Created ${when}`,
  edit: (name: string) => `Edit ${name}`,
  clearCache: (name: string) => `Clear cache of ${name}`,
  clearCacheTooltip: 'Clear cached values. Fresh values are fetched on the next run.',
  delete: (name: string) => `Delete ${name}`,
  cacheCleared: (name: string) => `Cache of “${name}” cleared: fresh values are fetched on the next run.`,
  clearAllCaches: 'Clear all caches',
  clearAllCachesTooltip: 'Clear the cached values of every connection. Fresh values are fetched on the next run.',
  allCachesCleared: 'All caches cleared: fresh values are fetched on the next run.',
  connectionCreated: (name: string) => `Connection “${name}” created.`,
  connectionUpdated: (name: string) => `Connection “${name}” saved.`,
  connectionDeleted: (name: string) => `Connection “${name}” deleted.`,
  deleteTitle: (name: string) => `Delete “${name}”?`,
  deleteBody: (name: string) =>
    `Flows that use secrets through “${name}” will fail until they point to another connection. The secrets in the secret manager itself are not touched. This cannot be undone.`,
  deleteConfirm: 'Delete connection',
  pagination: 'Pages',
  pageRange: (from: number, to: number, total: number) => `${from.toLocaleString()}–${to.toLocaleString()} of ${total.toLocaleString()}`,
  previousPage: 'Previous page',
  nextPage: 'Next page',
  pageOf: (page: number, pages: number) => `Page ${page} of ${pages}`,

  // <secret-manager-dialog>
  reenterUndecryptable: 'Enter every setting and credential of this connection again, then save: it keeps its id, so references to it work again.',
  createTitle: 'New connection',
  editTitle: (name: string) => `Edit “${name}”`,
  chooseProvider: 'Choose the secret manager to connect.',
  changeProvider: 'Change',
  changeProviderLabel: 'Change secret manager',
  nameLabel: 'Name',
  nameHelp: 'How people will recognise it when they pick a secret, e.g. “Vault production”.',
  scopeLegend: 'Who can use it',
  scopePlatformOption: 'All projects',
  scopePlatformOptionHelp: 'Every project on the platform can use this connection.',
  scopeProjectOption: 'Selected projects',
  scopeProjectOptionHelp: 'Only the projects you choose can use it.',
  projectsLabel: 'Projects',
  authMethodLegend: 'Authentication',
  setupGuide: (provider: string) => `Setup guide for ${provider}`,
  fieldDocs: 'Setup notes',
  fieldDocsLabel: (label: string) => `Setup notes for ${label}`,
  advanced: 'Advanced settings',
  show: (label: string) => `Show ${label}`,
  secretStored: 'Unchanged',
  secretStoredHelp: 'Stored encrypted. Leave empty to keep it, or type a new value to replace it.',
  secretReenterHelp: 'Enter it again: a stored credential is only sent to the address and sign-in it was entered for, and this edit changes them.',
  loadFile: 'Load from file…',
  selectDefault: 'Default',
  loadFileLabel: (label: string) => `Load ${label} from a file`,
  required: (label: string) => `${label} is required`,
  nameRequired: 'Enter a name',
  nameTooLong: 'At most 100 characters',
  notANumber: 'Enter a number',
  notAWholeNumber: 'Enter a whole number',
  outOfRange: (min: number | undefined, max: number | undefined) =>
    max === undefined ? `At least ${min}` : min === undefined ? `At most ${max}` : `Between ${min} and ${max}`,
  tooLong: (max: number) => `At most ${max.toLocaleString()} characters`,
  tooShort: (min: number) => `At least ${min.toLocaleString()} characters`,
  notAUrl: (example: string | undefined) => `Enter a full URL, like ${example ?? 'https://…'}`,
  notInFormat: (example: string | undefined) => (example ? `Must match the expected format, like ${example}` : 'Not in the expected format'),
  projectsRequired: 'Choose at least one project',
  testConnection: 'Test connection',
  testing: 'Testing…',
  testSucceeded: 'The connection works.',
  testSucceededAs: (identity: string) => `The connection works. Signed in as ${identity}.`,
  create: 'Create connection',
  save: 'Save changes',
  saving: 'Testing connection…',
  savingHint: 'Saving tests the connection first.',
  errorCode: (code: string) => `Error code ${code}`,

  // <sm-project-select>
  searchProjects: 'Search projects',
  noProjects: 'There are no projects on this platform yet.',
  noProjectMatches: 'No project matches',
  removeProject: (name: string) => `Remove ${name}`,
  selectedCount: (n: number) => count(n, 'project selected', 'projects selected'),

  // <sm-project-manager>
  projectsTitle: 'Projects',
  projectsDescription: 'Connections can be limited to some projects.',
  newProjectLabel: 'New project name',
  newProjectPlaceholder: 'Project name',
  addProject: 'Add',
  projectsEmpty: 'No projects yet. Add one to limit connections to it.',
  rename: (name: string) => `Rename ${name}`,
  renameLabel: (name: string) => `New name for ${name}`,
  saveName: 'Save',
  deleteProjectTitle: (name: string) => `Remove project “${name}”?`,
  deleteProjectBody: (name: string) =>
    `Connections limited to “${name}” will no longer be usable in it. This cannot be undone.`,
  deleteProjectConfirm: 'Remove project',
  removeProjectLabel: (name: string) => `Remove project ${name}`,
  projectAdded: (name: string) => `Project “${name}” added.`,
  projectRenamed: (name: string) => `Project renamed to “${name}”.`,
  projectRemoved: (name: string) => `Project “${name}” removed.`,

  // <secret-key-picker>
  useSecretManager: 'Use a secret manager',
  pickerTitle: 'Use a secret',
  pickerLead: (field: string) => `${field || 'This field'} will hold a reference, not the secret: the value stays in your secret manager.`,
  connectionLabel: 'Secret manager',
  chooseConnection: 'Choose a secret manager',
  noConnectionsTitle: 'No secret manager is available here',
  noConnectionsHint: 'Ask your platform administrator to connect one for this project, then try again.',
  pathLabel: 'Secret path',
  pathExamples: 'Examples:',
  pathRequired: 'Enter the path of the secret',
  pathHasBraces: 'A secret path cannot contain “}}”',
  browsingSecrets: 'Looking for secrets…',
  moreSecretNames: 'Show more',
  secretFolder: 'Folder',
  secretNameCount: (n: number) => (n === 0 ? 'No matching secrets' : count(n, 'suggestion', 'suggestions')),
  browseDenied: 'This connection may not list secrets here, so there are no suggestions: type the full path.',
  browseFailed: (reason: string) => `No suggestions: ${reason} You can still type the path.`,
  checkSecret: 'Check',
  checkingSecret: 'Checking…',
  secretFound: 'Secret found',
  secretFoundVersion: (version: string) => `Secret found, version ${version}`,
  secretKeysLegend: 'This secret holds several values. Use one key, or the whole secret:',
  wholeSecret: 'Whole secret',
  connectionUnavailableTitle: 'This connection is not available here',
  useSecret: 'Use secret',
  useAnyway: 'Use anyway',
  useAnywayHint: 'The check could not read this secret. Use it anyway if it will be readable when the flow runs.',
  referenceChipHelp: (field: string) => `${field || 'This field'} uses this secret. Open to change it.`,
  unavailableConnection: 'Unavailable connection',
  unavailableConnectionHint: 'The connection of this secret was deleted or is not available in this project. Choose another secret, or type a value.',
  typeValueInstead: 'Type a value instead',

  // <secret-reference-field>
  valueRequired: 'Enter a value',
  showValue: 'Show value',
  brokenReference: 'This looks like a secret reference but is incomplete. Use the key icon to choose a secret, or remove “{{sm:”.',

  // Standalone admin page
  appTitle: 'Secret Managers',
  signInTitle: 'Sign in',
  signInBody: 'Paste an admin API key of your platform. The key stays in this browser tab only and is forgotten when you close it.',
  signInHowTo: 'Create one with: npx secret-managers create-api-key --platform <id> --role admin',
  apiKeyLabel: 'Admin API key',
  signIn: 'Sign in',
  signingIn: 'Signing in…',
  signOut: 'Sign out',
  sessionExpired: 'Your session ended. Paste the API key again to continue.',
  keyNotAdmin: 'This key is valid but is not an admin key. Use an admin API key.',
};

export type Messages = typeof english;

/** The texts in use; read at render time, so changes show on the next render. */
export const msg: Messages = { ...english };

export function setMessages(overrides: Partial<Messages>): void {
  Object.assign(msg, overrides);
  settingsChanged();
}
