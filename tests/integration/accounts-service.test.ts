import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsService, ROW_FRESH_MS, type PasswordHashing } from '../../main/services/accounts.ts';
import { createLoginThrottle } from '../../main/services/login-throttle.ts';
import * as scrypt from '../../main/store/password-hashing.ts';
import { dataFolder } from '../../main/store/data-folder.ts';
import { fileDataKeyProvider } from '../../main/store/data-key.ts';
import { openStore, type Store } from '../../main/store/store.ts';
import { tempDir } from '../support/lightkeeper-process.ts';

let store: Store;
let scryptRuns = 0;
// The real scrypt, counted.
const counted: PasswordHashing = {
  ...scrypt,
  verifyPassword: (password, stored) => {
    scryptRuns++;
    return scrypt.verifyPassword(password, stored);
  },
};
let clock = Date.parse('2026-11-25T12:00:00Z');
let rowReads = 0;
const service = () =>
  createAccountsService(
    { ...store.accounts, get: (name) => (rowReads++, store.accounts.get(name)), list: () => store.accounts.list(), setPasswordHash: (...a) => store.accounts.setPasswordHash(...a) },
    createLoginThrottle(),
    () => new Date(clock),
    counted,
  );

beforeAll(async () => {
  const folder = dataFolder(tempDir('lk-accounts-'));
  store = await openStore(folder, fileDataKeyProvider(folder.dataKey), { create: true });
});
afterAll(() => store?.close());

describe('checking Basic credentials', () => {
  it('runs scrypt once for a burst of requests with the same credentials, and answers each of them', async () => {
    const accounts = service();
    await accounts.setPassword('agent', 'Agent-Passw0rd!');
    scryptRuns = 0;
    const results = await Promise.all(Array.from({ length: 20 }, () => accounts.authenticate('10.0.0.1', 'agent', 'Agent-Passw0rd!')));
    expect(results.every((r) => r.ok && r.account === 'agent')).toBe(true);
    expect(scryptRuns).toBe(1);
    await accounts.authenticate('10.0.0.2', 'agent', 'Agent-Passw0rd!');
    expect(scryptRuns, 'a verified password is remembered').toBe(1);
  });

  it('never lets a wrong password share the check of a right one that is in flight', async () => {
    const accounts = service();
    await accounts.setPassword('svm', 'Svm-Passw0rd!');
    scryptRuns = 0;
    const [right, wrong] = await Promise.all([accounts.authenticate('10.0.0.1', 'svm', 'Svm-Passw0rd!'), accounts.authenticate('10.0.0.3', 'svm', 'Svm-Passw0rd?')]);
    expect(right).toEqual({ ok: true, account: 'svm' });
    expect(wrong).toEqual({ ok: false, reason: 'unknown-or-wrong' });
    expect(scryptRuns).toBe(2);
  });

  it('reads the account from the store at most once per freshness window, however many requests come', async () => {
    const accounts = service();
    await accounts.setPassword('admin', 'Admin-Passw0rd!');
    rowReads = 0;
    for (let i = 0; i < 100; i++) expect((await accounts.authenticate('10.0.0.1', 'admin', 'Admin-Passw0rd!')).ok).toBe(true);
    expect(rowReads).toBe(1);
    clock += ROW_FRESH_MS;
    await accounts.authenticate('10.0.0.1', 'admin', 'Admin-Passw0rd!');
    expect(rowReads).toBe(2);
  });

  it('takes a password changed by another process (the CLI) within the freshness window, and refuses the old one', async () => {
    const accounts = service();
    await accounts.setPassword('viewer', 'Viewer-Passw0rd!');
    expect((await accounts.authenticate('10.0.0.1', 'viewer', 'Viewer-Passw0rd!')).ok).toBe(true);
    await store.accounts.setPasswordHash('viewer', await scrypt.hashPassword('Viewer-Other0!'), new Date().toISOString());
    clock += ROW_FRESH_MS;
    scryptRuns = 0;
    expect((await accounts.authenticate('10.0.0.1', 'viewer', 'Viewer-Passw0rd!')).ok).toBe(false);
    expect((await accounts.authenticate('10.0.0.1', 'viewer', 'Viewer-Other0!')).ok).toBe(true);
    expect(scryptRuns).toBe(2);
  });

  it('takes a password set through this service at once', async () => {
    const accounts = service();
    await accounts.setPassword('multitenancy', 'Multi-Passw0rd!');
    expect((await accounts.authenticate('10.0.0.1', 'multitenancy', 'Multi-Passw0rd!')).ok).toBe(true);
    await accounts.setPassword('multitenancy', 'Multi-Other0!');
    expect((await accounts.authenticate('10.0.0.1', 'multitenancy', 'Multi-Passw0rd!')).ok).toBe(false);
    expect((await accounts.authenticate('10.0.0.1', 'multitenancy', 'Multi-Other0!')).ok).toBe(true);
  });
});

describe('knowing credentials verified before, without waiting (every request of a running fleet)', () => {
  it('knows an account only once its password was verified, and never by a wrong password', async () => {
    const accounts = service();
    await accounts.setPassword('agent', 'Agent-Passw0rd!');
    expect(accounts.knownAccount('10.0.1.1', 'agent', 'Agent-Passw0rd!')).toBeUndefined();
    expect((await accounts.authenticate('10.0.1.1', 'agent', 'Agent-Passw0rd!')).ok).toBe(true);
    expect(accounts.knownAccount('10.0.1.2', 'agent', 'Agent-Passw0rd!')).toBe('agent');
    expect(accounts.knownAccount('10.0.1.2', 'agent', 'Agent-Passw0rd?')).toBeUndefined();
    expect(accounts.knownAccount('10.0.1.2', 'svm', 'Agent-Passw0rd!')).toBeUndefined();
    expect(accounts.knownAccount('10.0.1.2', 'nobody', 'Agent-Passw0rd!')).toBeUndefined();
  });

  it('asks for a full check again once the account row is older than the freshness window', async () => {
    const accounts = service();
    await accounts.setPassword('svm', 'Svm-Passw0rd!');
    await accounts.authenticate('10.0.1.1', 'svm', 'Svm-Passw0rd!');
    expect(accounts.knownAccount('10.0.1.1', 'svm', 'Svm-Passw0rd!')).toBe('svm');
    clock += ROW_FRESH_MS;
    expect(accounts.knownAccount('10.0.1.1', 'svm', 'Svm-Passw0rd!')).toBeUndefined();
    await accounts.authenticate('10.0.1.1', 'svm', 'Svm-Passw0rd!');
    expect(accounts.knownAccount('10.0.1.1', 'svm', 'Svm-Passw0rd!')).toBe('svm');
  });

  it('forgets a password changed through this service, or by another process once its row is read again', async () => {
    const accounts = service();
    await accounts.setPassword('viewer', 'Viewer-Passw0rd!');
    await accounts.authenticate('10.0.1.1', 'viewer', 'Viewer-Passw0rd!');
    await accounts.setPassword('viewer', 'Viewer-Second0!');
    expect(accounts.knownAccount('10.0.1.1', 'viewer', 'Viewer-Passw0rd!')).toBeUndefined();
    await accounts.authenticate('10.0.1.1', 'viewer', 'Viewer-Second0!');
    await store.accounts.setPasswordHash('viewer', await scrypt.hashPassword('Viewer-Third0!'), new Date().toISOString());
    clock += ROW_FRESH_MS;
    expect((await accounts.authenticate('10.0.1.1', 'viewer', 'Viewer-Third0!')).ok).toBe(true);
    expect(accounts.knownAccount('10.0.1.1', 'viewer', 'Viewer-Second0!')).toBeUndefined();
    expect(accounts.knownAccount('10.0.1.1', 'viewer', 'Viewer-Third0!')).toBe('viewer');
  });

  it('leaves an address that failed recently to the full check, which applies the throttle', async () => {
    const accounts = service();
    await accounts.setPassword('admin', 'Admin-Passw0rd!');
    await accounts.authenticate('10.0.1.1', 'admin', 'Admin-Passw0rd!');
    expect((await accounts.authenticate('10.0.1.9', 'admin', 'wrong')).ok).toBe(false);
    expect(accounts.knownAccount('10.0.1.9', 'admin', 'Admin-Passw0rd!')).toBeUndefined();
    expect(accounts.knownAccount('10.0.1.1', 'admin', 'Admin-Passw0rd!')).toBe('admin');
  });
});
