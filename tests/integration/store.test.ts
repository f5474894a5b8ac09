import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseSync } from 'node:sqlite';
import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMigrations, openDatabase, SchemaTooNewError } from '../../main/store/database.ts';
import { dataFolder } from '../../main/store/data-folder.ts';
import { fileDataKeyProvider } from '../../main/store/data-key.ts';
import { createSealer } from '../../main/store/sealing.ts';
import { openStore, type Store } from '../../main/store/store.ts';
import { hashPassword, verifyPassword } from '../../main/store/password-hashing.ts';
import { tempDir } from '../support/lightkeeper-process.ts';

let store: Store | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
});

describe('the SQLite file', () => {
  it('is one file in WAL mode with foreign keys on, at the newest schema', () => {
    const file = join(tempDir(), 'db.sqlite');
    const { db, schemaVersion } = openDatabase(file);
    expect((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
    expect((db.prepare('PRAGMA foreign_keys').get() as { foreign_keys: number }).foreign_keys).toBe(1);
    expect(schemaVersion).toBe(loadMigrations().at(-1)!.version);
    expect((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(schemaVersion);
    db.close();
  });

  it('runs only the migrations not yet applied, so opening twice changes nothing', () => {
    const file = join(tempDir(), 'db.sqlite');
    openDatabase(file).db.close();
    const again = openDatabase(file);
    expect(again.schemaVersion).toBe(loadMigrations().at(-1)!.version);
    again.db.close();
  });

  it('refuses a schema newer than the code knows, saying what to do', () => {
    const file = join(tempDir(), 'db.sqlite');
    const raw = new DatabaseSync(file);
    raw.exec('PRAGMA user_version = 999');
    raw.close();
    expect(() => openDatabase(file)).toThrow(SchemaTooNewError);
    expect(() => openDatabase(file)).toThrow(/version 999.*newer Lightkeeper/);
  });

  it('leaves the old version intact when a migration fails', () => {
    const dir = tempDir();
    const file = join(dir, 'db.sqlite');
    const good = loadMigrations();
    const bad = [...good, { version: good.at(-1)!.version + 1, name: '9999-broken.sql', sql: 'CREATE TABLE x (a); SELECT * FROM missing_table;' }];
    expect(() => openDatabase(file, bad)).toThrow(/9999-broken.sql failed/);
    const { db, schemaVersion } = openDatabase(file, good);
    expect(schemaVersion).toBe(good.at(-1)!.version);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'x'").get()).toBeUndefined();
    db.close();
  });

  it('enforces foreign keys', async () => {
    const folder = dataFolder(tempDir());
    store = await openStore(folder, fileDataKeyProvider(folder.dataKey), { create: true });
    await expect(store.diagnosticMarks.add('no-such-task', 1)).rejects.toThrow(/FOREIGN KEY/);
  });
});

describe('secrets at rest', () => {
  it('keeps the data key in a 0600 file and refuses a missing one without create', async () => {
    const folder = dataFolder(tempDir());
    const provider = fileDataKeyProvider(folder.dataKey);
    await expect(provider.getKey({ create: false })).rejects.toThrow(/missing/);
    const key = await provider.getKey({ create: true });
    expect(key).toHaveLength(32);
    expect(statSync(folder.dataKey).mode & 0o777).toBe(0o600);
    expect(await provider.getKey({ create: false })).toEqual(key);
  });

  it('seals with AES-256-GCM: a fresh nonce each time, tampering detected, the wrong key refused', () => {
    const a = createSealer(Buffer.alloc(32, 1));
    const s1 = a.seal('hypervisor-password');
    expect(s1).not.toBe(a.seal('hypervisor-password'));
    expect(s1).not.toContain('hypervisor');
    expect(a.open(s1)).toBe('hypervisor-password');
    const raw = Buffer.from(s1.slice(3), 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => a.open('v1:' + raw.toString('base64'))).toThrow(/could not be opened/);
    expect(() => createSealer(Buffer.alloc(32, 2)).open(s1)).toThrow(/data key does not match/);
  });

  it('hashes passwords with scrypt and a salt; verification is exact', async () => {
    const h1 = await hashPassword('Correct-Horse-1');
    const h2 = await hashPassword('Correct-Horse-1');
    expect(h1).toMatch(/^scrypt\$\d+\$8\$1\$/);
    expect(h1).not.toBe(h2);
    expect(await verifyPassword('Correct-Horse-1', h1)).toBe(true);
    expect(await verifyPassword('Correct-Horse-2', h1)).toBe(false);
  });

  it('stores task parameters sealed, so a secret passed to a task is not in the file', async () => {
    const folder = dataFolder(tempDir());
    store = await openStore(folder, fileDataKeyProvider(folder.dataKey), { create: true });
    const t = new Date().toISOString();
    await store.tasks.insert({
      id: '00000000-0000-4000-8000-000000000001', type: 'X', state: 'Queued', stage: '', progress: 0, parentId: null,
      createdBy: 'admin', params: { password: 'Tenant-Admin-Pa55!' }, memo: { vasId: 7 }, stepsDone: 0, cancelRequested: false,
      result: null, errorCode: null, errorMessage: null, created: t, stateChanged: t, changed: t,
    });
    expect((await store.tasks.get('00000000-0000-4000-8000-000000000001'))!.params).toEqual({ password: 'Tenant-Admin-Pa55!' });
    store.close();
    store = undefined;
    for (const f of [folder.database, `${folder.database}-wal`]) {
      try {
        expect(readFileSync(f).includes('Tenant-Admin-Pa55!')).toBe(false);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
  });
});
