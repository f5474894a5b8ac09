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
