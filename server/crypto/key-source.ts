import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareDataDir } from '../db/data-dir.ts';
import type { Logger } from '../logger.ts';
import { KeyRing } from './keyring.ts';

export const KEY_FILE = 'encryption-keys';

export interface KeySource {
  ring: KeyRing;
  /** Set when the ring lives in the data folder (embedded mode), so it can be rotated there. */
  file?: string;
}

/**
 * The key ring comes from SM_ENCRYPTION_KEYS; with none set, from a file in the data
 * folder (checked and kept private by prepareDataDir), generated (mode 0600) on first start.
 */
export function loadKeyRing(spec: string | undefined, dataDir: string, logger: Logger): KeySource {
  if (spec) return { ring: KeyRing.parse(spec) };
  prepareDataDir(dataDir);
  const file = join(dataDir, KEY_FILE);
  if (!existsSync(file)) {
    writeFileSync(file, `${KeyRing.generateKey(1)}\n`, { mode: 0o600, flag: 'wx' });
    logger.warn({ file }, 'SM_ENCRYPTION_KEYS is not set: generated an encryption key in the data folder. Back it up; without it stored credentials cannot be decrypted.');
  }
  return { ring: KeyRing.parse(readFileSync(file, 'utf8')), file };
}

/** Puts a new newest key in front of the ring file and returns the new ring. */
export function addKeyToFile(source: KeySource): KeyRing {
  if (!source.file) throw new Error('the key ring comes from SM_ENCRYPTION_KEYS: add the new key there');
  const next = Math.max(...source.ring.versions) + 1;
  const spec = [KeyRing.generateKey(next), readFileSync(source.file, 'utf8').trim()].join(',');
  writeFileSync(source.file, `${spec}\n`, { mode: 0o600 });
  chmodSync(source.file, 0o600);
  return KeyRing.parse(spec);
}
