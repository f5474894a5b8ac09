// The data key that seals secrets (design §4), kept by the OS keychain through Electron's
// safeStorage. Where the OS has no keychain (Linux without a Secret Service, where safeStorage would
// fall back to a fixed, public password) the user chooses a passphrase instead. The key is never
// written in clear: a data.key file left by `lightkeeper setup` is imported, then deleted.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SafeStorage } from 'electron';
import type { ServerConfig } from '../main/server.ts';
import { openWithPassphrase, sealWithPassphrase, WrongPassphraseError } from './passphrase-key.ts';

export type DataKeySource = NonNullable<ServerConfig['keys']>;
export type SafeStorageLike = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'>;
export type PassphrasePrompt = (request: { mode: 'create' | 'unlock'; reason: string }) => Promise<string>;

export const KEY_FILES = { keychain: 'data.key.keychain', passphrase: 'data.key.passphrase', clear: 'data.key' } as const;

export class KeychainUnavailableError extends Error {
  constructor(dataDir: string, why: string) {
    super(`The data key of ${dataDir} is kept in the OS keychain, which is not available now: ${why}. Start or unlock the keychain, then press Retry.`);
    this.name = 'KeychainUnavailableError';
  }
}

/** Whether safeStorage really protects data here; `why` is shown to the user when it does not. */
export function keychainAvailability(safeStorage: SafeStorageLike, platform: NodeJS.Platform): { available: true } | { available: false; why: string } {
  if (!safeStorage.isEncryptionAvailable()) return { available: false, why: 'the operating system offers no keychain to this app' };
  if (platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend();
    if (backend === 'basic_text' || backend === 'unknown') {
      return { available: false, why: 'no Secret Service (GNOME Keyring or KWallet) is running, so the key could only be stored under a fixed, public password' };
    }
  }
  return { available: true };
}

function writeSecretFile(path: string, data: string | Buffer): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, data, { mode: 0o600, flag: 'wx' });
  renameSync(temporary, path);
}

export type KeychainOptions = {
  dataDir: string;
  safeStorage: SafeStorageLike;
  platform: NodeJS.Platform;
  askPassphrase: PassphrasePrompt;
  /** Wrong or refused passphrases before giving up (the user can Retry). */
  maxTries?: number;
};

export function keychainDataKeyProvider(options: KeychainOptions): DataKeySource {
  const { dataDir, safeStorage, platform, askPassphrase } = options;
  const maxTries = options.maxTries ?? 3;
  const file = (name: keyof typeof KEY_FILES) => join(dataDir, KEY_FILES[name]);
  // Kept for the session so that a server restart does not ask for the passphrase again.
  let unlocked: Buffer | undefined;

  async function unlockWithPassphrase(): Promise<Buffer> {
    const sealed = readFileSync(file('passphrase'), 'utf8');
    let reason = 'Enter the passphrase that protects the data key of this Lightkeeper.';
    for (let attempt = 1; attempt <= maxTries; attempt++) {
      try {
        return await openWithPassphrase(sealed, await askPassphrase({ mode: 'unlock', reason }));
      } catch (e) {
        if (!(e instanceof WrongPassphraseError)) throw e;
        reason = `Wrong passphrase (attempt ${attempt} of ${maxTries}). Try again.`;
      }
    }
    throw new Error(`The passphrase was wrong ${maxTries} times; press Retry to try again.`);
  }

  async function protect(key: Buffer): Promise<void> {
    const keychain = keychainAvailability(safeStorage, platform);
    if (keychain.available) {
      writeSecretFile(file('keychain'), safeStorage.encryptString(key.toString('base64')));
      return;
    }
    let reason = `Lightkeeper cannot keep its data key in the OS keychain: ${keychain.why}. Choose a passphrase to protect it instead; it is asked at every start.`;
    for (let attempt = 1; attempt <= maxTries; attempt++) {
      try {
        writeSecretFile(file('passphrase'), await sealWithPassphrase(key, await askPassphrase({ mode: 'create', reason })));
        return;
      } catch (e) {
        reason = e instanceof Error ? e.message : String(e);
      }
    }
    throw new Error('No usable passphrase was chosen; the data key was not stored.');
  }

  async function load(create: boolean): Promise<Buffer> {
    if (existsSync(file('keychain'))) {
      const keychain = keychainAvailability(safeStorage, platform);
      if (!keychain.available) throw new KeychainUnavailableError(dataDir, keychain.why);
      return Buffer.from(safeStorage.decryptString(readFileSync(file('keychain'))), 'base64');
    }
    if (existsSync(file('passphrase'))) return unlockWithPassphrase();
    const clear = existsSync(file('clear'));
    if (!clear && !create) throw new Error(`${dataDir} has no data key yet: the data folder has not been set up.`);
    const key = clear ? Buffer.from(readFileSync(file('clear'), 'utf8').trim(), 'base64') : randomBytes(32);
    if (key.length !== 32) throw new Error(`The data key file ${file('clear')} is damaged: it does not hold a 32-byte key.`);
    await protect(key);
    // Only now that a protected copy exists may the clear one go.
    if (clear) rmSync(file('clear'));
    return key;
  }

  return {
    description: 'the OS keychain (Electron safeStorage), or a passphrase where there is none',
    async getKey({ create }) {
      unlocked ??= await load(create);
      return Buffer.from(unlocked);
    },
  };
}
