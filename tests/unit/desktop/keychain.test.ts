// The data key's paths: the OS keychain through safeStorage, the import of a clear data.key, the
// passphrase where there is no keychain, and the errors that say what to do.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { KEY_FILES, keychainAvailability, KeychainUnavailableError, keychainDataKeyProvider, type SafeStorageLike } from '../../../electron/keychain.ts';
import { tempDir } from '../../support/lightkeeper-process.ts';

function fakeSafeStorage(backend: ReturnType<SafeStorageLike['getSelectedStorageBackend']> = 'gnome_libsecret', available = true) {
  return {
    isEncryptionAvailable: vi.fn(() => available),
    getSelectedStorageBackend: vi.fn(() => backend),
    // Reversible but not the clear text, like the real one.
    encryptString: vi.fn((text: string) => Buffer.from(Buffer.from(text).map((b) => b ^ 0x5a))),
    decryptString: vi.fn((sealed: Buffer) => Buffer.from(sealed.map((b) => b ^ 0x5a)).toString()),
  } satisfies SafeStorageLike;
}

function provider(dataDir: string, safeStorage: SafeStorageLike, answers: string[] = [], platform: NodeJS.Platform = 'linux') {
  const asked: Array<{ mode: string; reason: string }> = [];
  const keys = keychainDataKeyProvider({
    dataDir,
    safeStorage,
    platform,
    askPassphrase: async (request) => {
      asked.push(request);
      const answer = answers.shift();
      if (answer === undefined) throw new Error('no more answers');
      return answer;
    },
  });
  return { keys, asked };
}

const allFiles = (dir: string) => Object.values(KEY_FILES).filter((f) => existsSync(join(dir, f)));

describe('keychain data key', () => {
  it('creates a key sealed by the OS keychain and finds it again', async () => {
    const dir = tempDir('lk-key-');
    const safe = fakeSafeStorage();
    const key = await provider(dir, safe).keys.getKey({ create: true });
    expect(key).toHaveLength(32);
    expect(allFiles(dir)).toEqual([KEY_FILES.keychain]);
    expect(readFileSync(join(dir, KEY_FILES.keychain)).toString()).not.toContain(key.toString('base64'));
    expect(await provider(dir, safe).keys.getKey({ create: false })).toEqual(key);
  });

  it('imports a clear data.key written by `lightkeeper setup`, then deletes it', async () => {
    const dir = tempDir('lk-key-');
    const clear = Buffer.alloc(32, 3);
    writeFileSync(join(dir, 'data.key'), clear.toString('base64') + '\n');
    expect(await provider(dir, fakeSafeStorage()).keys.getKey({ create: false })).toEqual(clear);
    expect(allFiles(dir)).toEqual([KEY_FILES.keychain]);
  });

  it('refuses a damaged clear key and keeps it for the user to inspect', async () => {
    const dir = tempDir('lk-key-');
    writeFileSync(join(dir, 'data.key'), 'c2hvcnQ=\n');
    await expect(provider(dir, fakeSafeStorage()).keys.getKey({ create: false })).rejects.toThrow(/damaged/);
    expect(allFiles(dir)).toEqual([KEY_FILES.clear]);
  });

  it('says the folder is not set up when there is no key and none may be created', async () => {
    await expect(provider(tempDir('lk-key-'), fakeSafeStorage()).keys.getKey({ create: false })).rejects.toThrow(/not been set up/);
  });

  it('treats Linux without a Secret Service as no keychain, and asks for a passphrase instead', async () => {
    const dir = tempDir('lk-key-');
    const safe = fakeSafeStorage('basic_text');
    expect(keychainAvailability(safe, 'linux')).toMatchObject({ available: false, why: expect.stringMatching(/Secret Service/) });
    const { keys, asked } = provider(dir, safe, ['short', 'correct horse battery staple']);
    const key = await keys.getKey({ create: true });
    expect(asked.map((a) => a.mode)).toEqual(['create', 'create']);
    expect(asked[0]!.reason).toMatch(/cannot keep its data key in the OS keychain.*Secret Service/);
    expect(asked[1]!.reason).toMatch(/at least 12 characters/);
    expect(safe.encryptString).not.toHaveBeenCalled();
    expect(allFiles(dir)).toEqual([KEY_FILES.passphrase]);
    expect(readFileSync(join(dir, KEY_FILES.passphrase), 'utf8')).not.toContain(key.toString('base64'));

    const again = provider(dir, safe, ['wrong passphrase!!', 'correct horse battery staple']);
    expect(await again.keys.getKey({ create: false })).toEqual(key);
    expect(again.asked.map((a) => a.mode)).toEqual(['unlock', 'unlock']);
    expect(again.asked[1]!.reason).toMatch(/Wrong passphrase/);
  });

  it('gives up after three wrong passphrases, telling the user to retry', async () => {
    const dir = tempDir('lk-key-');
    const safe = fakeSafeStorage('basic_text');
    await provider(dir, safe, ['correct horse battery staple']).keys.getKey({ create: true });
    await expect(provider(dir, safe, ['nope nope nope 1', 'nope nope nope 2', 'nope nope nope 3']).keys.getKey({ create: false })).rejects.toThrow(/wrong 3 times.*Retry/);
  });

  it('asks for the passphrase once per session, not at every server restart', async () => {
    const dir = tempDir('lk-key-');
    const safe = fakeSafeStorage('basic_text');
    await provider(dir, safe, ['correct horse battery staple']).keys.getKey({ create: true });
    const session = provider(dir, safe, ['correct horse battery staple']);
    const first = await session.keys.getKey({ create: false });
    first.fill(0);
    expect(await session.keys.getKey({ create: false })).not.toEqual(first);
    expect(session.asked).toHaveLength(1);
  });

  it('says clearly when the key is in a keychain that is not available now', async () => {
    const dir = tempDir('lk-key-');
    await provider(dir, fakeSafeStorage()).keys.getKey({ create: true });
    const error = await provider(dir, fakeSafeStorage('gnome_libsecret', false)).keys.getKey({ create: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeychainUnavailableError);
    expect(String(error)).toMatch(/OS keychain, which is not available now.*Retry/);
  });

  it('uses the keychain on Windows and macOS whatever the Linux backend reports', () => {
    expect(keychainAvailability(fakeSafeStorage('unknown'), 'win32')).toEqual({ available: true });
    expect(keychainAvailability(fakeSafeStorage('unknown'), 'darwin')).toEqual({ available: true });
    expect(keychainAvailability(fakeSafeStorage('unknown', false), 'darwin')).toMatchObject({ available: false });
  });
});
