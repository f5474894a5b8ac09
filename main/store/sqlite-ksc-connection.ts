import type { DatabaseSync } from 'node:sqlite';
import type { KscConnectionRecord, KscConnectionRepository } from './repositories.ts';
import type { Sealer } from './sealing.ts';

const KEY = 'ksc.connection';

/** The connection lives in the settings table, sealed as one value: it carries the account's password. */
export function sqliteKscConnection(db: DatabaseSync, sealer: Sealer): KscConnectionRepository {
  const getOne = db.prepare('SELECT value_json FROM settings WHERE key = ?');
  const upsert = db.prepare('INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json');
  const remove = db.prepare('DELETE FROM settings WHERE key = ?');
  return {
    async get() {
      const row = getOne.get(KEY) as { value_json: string } | undefined;
      if (!row) return undefined;
      const { sealed } = JSON.parse(row.value_json) as { sealed: string };
      return JSON.parse(sealer.open(sealed)) as KscConnectionRecord;
    },
    async set(connection) {
      upsert.run(KEY, JSON.stringify({ sealed: sealer.seal(JSON.stringify(connection)) }));
    },
    async clear() {
      remove.run(KEY);
    },
  };
}
