import type { DatabaseSync } from 'node:sqlite';
import type { SettingsRepository } from './repositories.ts';

export function sqliteSettings(db: DatabaseSync): SettingsRepository {
  const getOne = db.prepare('SELECT value_json FROM settings WHERE key = ?');
  const upsert = db.prepare(
    'INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json',
  );
  return {
    async get<T>(key: string) {
      const row = getOne.get(key) as { value_json: string } | undefined;
      return row ? (JSON.parse(row.value_json) as T) : undefined;
    },
    async set(key, value) {
      upsert.run(key, JSON.stringify(value));
    },
  };
}
