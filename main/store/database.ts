import { DatabaseSync } from 'node:sqlite';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

type Migration = { version: number; name: string; sql: string };

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}-[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f, sql: readFileSync(join(dir, f), 'utf8') }));
}

export class SchemaTooNewError extends Error {
  readonly found: number;
  readonly known: number;
  constructor(found: number, known: number) {
    super(
      `The database schema is version ${found}, but this Lightkeeper knows only up to version ${known}. ` +
        'It was written by a newer Lightkeeper: run that version, or restore a backup made for this one.',
    );
    this.name = 'SchemaTooNewError';
    this.found = found;
    this.known = known;
  }
}

/**
 * Opens (creating if needed) the one SQLite file, with WAL and foreign keys, and brings its schema
 * up to date. The schema version lives in `PRAGMA user_version`; each migration and its version
 * bump commit together, so a crash mid-migration leaves the previous version intact.
 */
export function openDatabase(file: string, migrations = loadMigrations()): { db: DatabaseSync; schemaVersion: number } {
  const db = new DatabaseSync(file);
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA foreign_keys = ON');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA busy_timeout = 5000');
    const known = migrations.at(-1)?.version ?? 0;
    const current = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
    if (current > known) throw new SchemaTooNewError(current, known);
    for (const m of migrations.filter((m) => m.version > current)) {
      db.exec('BEGIN IMMEDIATE');
      try {
        db.exec(m.sql);
        db.exec(`PRAGMA user_version = ${m.version}`);
        db.exec('COMMIT');
      } catch (e) {
        db.exec('ROLLBACK');
        throw new Error(`Migration ${m.name} failed: ${(e as Error).message}`, { cause: e });
      }
    }
    return { db, schemaVersion: known };
  } catch (e) {
    db.close();
    throw e;
  }
}
