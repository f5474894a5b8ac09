import type { Credentials } from '../../api/http-client.ts';

export type SavedSession = { baseUrl: string; credentials: Credentials };
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const KEY = 'lightkeeper.session';

/**
 * The password lives in memory and in this tab's sessionStorage only: a reload keeps the
 * administrator signed in, closing the tab forgets it, and nothing reaches localStorage or disk
 * beyond the browser's own tab state. Without sessionStorage (tests, locked-down browsers) it is
 * memory only.
 */
export function sessionPersistence(storage: KeyValueStore | undefined = globalThis.sessionStorage) {
  let memory: SavedSession | undefined;
  return {
    load(): SavedSession | undefined {
      if (!storage) return memory;
      const raw = storage.getItem(KEY);
      if (!raw) return undefined;
      try {
        return JSON.parse(raw) as SavedSession;
      } catch {
        return undefined;
      }
    },
    save(session: SavedSession): void {
      memory = session;
      storage?.setItem(KEY, JSON.stringify(session));
    },
    clear(): void {
      memory = undefined;
      storage?.removeItem(KEY);
    },
  };
}
export type SessionPersistence = ReturnType<typeof sessionPersistence>;
