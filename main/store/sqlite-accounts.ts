import type { DatabaseSync } from 'node:sqlite';
import type { AccountName } from '../contract/accounts.ts';
import type { AccountsRepository, StoredAccount } from './repositories.ts';

type Row = { name: AccountName; password_hash: string; password_changed: string };
const toAccount = (r: Row): StoredAccount => ({ name: r.name, passwordHash: r.password_hash, passwordChanged: r.password_changed });

export function sqliteAccounts(db: DatabaseSync): AccountsRepository {
  const getOne = db.prepare('SELECT name, password_hash, password_changed FROM accounts WHERE name = ?');
  const all = db.prepare('SELECT name, password_hash, password_changed FROM accounts ORDER BY name');
  const upsert = db.prepare(
    `INSERT INTO accounts (name, password_hash, password_changed) VALUES (?, ?, ?)
     ON CONFLICT(name) DO UPDATE SET password_hash = excluded.password_hash, password_changed = excluded.password_changed`,
  );
  return {
    async get(name) {
      const row = getOne.get(name) as Row | undefined;
      return row && toAccount(row);
    },
    async list() {
      return (all.all() as Row[]).map(toAccount);
    },
    async setPasswordHash(name, passwordHash, changedAt) {
      upsert.run(name, passwordHash, changedAt);
    },
  };
}
