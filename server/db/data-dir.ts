import { chmodSync, lstatSync, mkdirSync, readdirSync, type Stats } from 'node:fs';
import { join, relative } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/**
 * The embedded data folder holds the database (API key hashes, sealed credentials, audit)
 * and, without SM_ENCRYPTION_KEYS, the key ring: only this server's user may read or change
 * it. The folder is 0700 and everything in it 0600 (directories 0700), whatever the umask.
 */
export class DataDirPermissionError extends Error {
  override readonly name = 'DataDirPermissionError';
}

const GROUP_OR_OTHERS_WRITE = 0o022;
/** Whether group or others may enter a folder (and so reach what is in it). */
const GROUP_OR_OTHERS_SEARCH = 0o011;

const modeOf = (stats: Stats) => `0${(stats.mode & 0o777).toString(8)}`;

/** Every entry below `dir` (not following symbolic links), depth first. */
function* entriesBelow(dir: string): Generator<{ path: string; stats: Stats }> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stats = lstatSync(path);
    if (stats.isSymbolicLink()) continue;
    yield { path, stats };
    if (stats.isDirectory()) yield* entriesBelow(path);
  }
}

/** Takes group and others' access away from the folder and everything in it. */
export function tightenDataDir(dir: string): void {
  chmodSync(dir, 0o700);
  for (const { path, stats } of entriesBelow(dir)) {
    const wanted = stats.isDirectory() ? 0o700 : 0o600;
    if ((stats.mode & 0o777) !== wanted) chmodSync(path, wanted);
  }
}

/**
 * Makes the data folder ready before anything is written there: a new one is created
 * 0700; an existing one is refused when other users could have changed what it holds
 * (the folder itself writable by group or others, or a file in it writable while they can
 * reach it), since the database may have been tampered with; otherwise it is tightened.
 *
 * Sets the process umask to 0077 as well: PGlite creates files with mode 0666 and leaves
 * them to the umask, and postgres creates new ones as it runs. (PGlite also copies its
 * initial files with an explicit 0666, which the umask cannot stop: openPglite tightens
 * the folder again once it has started and when it closes.)
 */
export function prepareDataDir(dir: string): void {
  // Worker threads share the process umask and may not set it; the tightening still applies.
  if (isMainThread) process.umask(0o077);
  let stats: Stats;
  try {
    stats = lstatSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    return;
  }
  if (!stats.isDirectory()) throw new DataDirPermissionError(`SM_DATA_DIR ${dir} is not a folder.`);
  if (stats.mode & GROUP_OR_OTHERS_WRITE) {
    throw new DataDirPermissionError(
      `The data folder ${dir} can be written by other users (mode ${modeOf(stats)}): check that nothing in it was changed, then run \`chmod 700 ${dir}\`.`,
    );
  }
  // In a folder others cannot enter, what its files allow does not matter yet: tighten them.
  if (stats.mode & GROUP_OR_OTHERS_SEARCH) {
    for (const entry of entriesBelow(dir)) {
      if (entry.stats.mode & GROUP_OR_OTHERS_WRITE) {
        throw new DataDirPermissionError(
          `The data folder ${dir} holds files other users can change (${relative(dir, entry.path)} is mode ${modeOf(entry.stats)}): check that nothing in it was changed, then run \`chmod -R go-rwx ${dir}\`.`,
        );
      }
    }
  }
  tightenDataDir(dir);
}
