import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';

/**
 * Where the 32-byte data key that seals secrets comes from. Headless it is a 0600 file beside the
 * database; the desktop shell supplies one backed by the OS keychain (Electron safeStorage).
 */
export interface DataKeyProvider {
  readonly description: string;
  /** The key; creates one when `create` is true and none exists yet. */
  getKey(options: { create: boolean }): Promise<Buffer>;
}

export function fileDataKeyProvider(path: string): DataKeyProvider {
  return {
    description: `key file ${path}`,
    async getKey({ create }) {
      if (!existsSync(path)) {
        if (!create) throw new Error(`The data key file ${path} is missing; secrets in this data folder cannot be opened without it.`);
        writeFileSync(path, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      }
      const mode = statSync(path).mode & 0o777;
      if (mode !== 0o600) chmodSync(path, 0o600);
      const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
      if (key.length !== 32) throw new Error(`The data key file ${path} is damaged: it does not hold a 32-byte key.`);
      return key;
    },
  };
}
