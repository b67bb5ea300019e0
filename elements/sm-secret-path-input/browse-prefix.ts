/**
 * What to list for a typed path: its name part, while it is still being typed. Once it has
 * a version (`@`) or a key (`#`), the name is complete and there is nothing to suggest.
 */
export function browsePrefix(path: string): string | undefined {
  const typed = path.trimStart();
  return /[@#]/.test(typed) ? undefined : typed;
}

/** The folder a prefix lists (up to its last `/`; Vault lists folder by folder), '' at the top. */
export function listedFolder(prefix: string): string {
  return prefix.slice(0, prefix.lastIndexOf('/') + 1);
}

/** Where a listed name sits: its parent folder, shown dimmed before the name itself. */
export function parentOf(name: string): string {
  return name.slice(0, name.lastIndexOf('/', name.length - 2) + 1);
}

/** Vault lists folders with a trailing `/`: picking one browses into it. */
export function isFolder(name: string): boolean {
  return name.endsWith('/');
}
