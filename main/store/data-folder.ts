import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import envPaths from 'env-paths';

/** Where everything of one Lightkeeper lives: one folder, so a backup is one copy. */
export type DataFolder = {
  root: string;
  database: string;
  dataKey: string;
  tlsCertificate: string;
  tlsKeySealed: string;
  logs: string;
  reports: string;
};

export function defaultDataDir(): string {
  return envPaths('lightkeeper', { suffix: '' }).data;
}

export function dataFolder(dir: string): DataFolder {
  const root = resolve(dir);
  return {
    root,
    database: join(root, 'lightkeeper.sqlite'),
    dataKey: join(root, 'data.key'),
    tlsCertificate: join(root, 'tls', 'server.crt'),
    tlsKeySealed: join(root, 'tls', 'server.key.sealed'),
    logs: join(root, 'logs'),
    reports: join(root, 'reports'),
  };
}

export function ensureDataFolder(folder: DataFolder): void {
  for (const dir of [folder.root, join(folder.root, 'tls'), folder.logs, folder.reports]) {
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
}

/** The data folder has no database and data key yet. */
export class NotSetUpError extends Error {
  constructor(dir: string) {
    super(`The data folder ${dir} has not been set up. Run: npx lightkeeper setup --data ${JSON.stringify(dir)}`);
    this.name = 'NotSetUpError';
  }
}

/** Whether `setup` has made the folder's database and data key. */
export function isSetUp(dir: string): boolean {
  const folder = dataFolder(dir);
  return existsSync(folder.database) && existsSync(folder.dataKey);
}
