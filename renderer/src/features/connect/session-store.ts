import { defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef } from 'vue';
import type { AccountName, ChangePasswordResult } from '../../../../main/contract/accounts.ts';
import type { Health } from '../../../../main/contract/health.ts';
import { createHttpClient, type Credentials } from '../../api/http-client.ts';
import { lightkeeperApi, type LightkeeperApi } from '../../api/lightkeeper-api.ts';
import { messageOf } from '../../api/api-error.ts';
import { sessionPersistence, type SessionPersistence } from './session-persistence.ts';

export type SessionStatus = 'signed-out' | 'signing-in' | 'signed-in';

let persistence: SessionPersistence = sessionPersistence();
let fetchImpl: typeof fetch | undefined;
/** Tests swap the browser's storage and fetch for their own. */
export function configureSession(options: { persistence?: SessionPersistence; fetch?: typeof fetch }): void {
  if (options.persistence) persistence = options.persistence;
  if (options.fetch) fetchImpl = options.fetch;
}

/** Where the console is connected, as whom, and the API client every other store uses. */
export const useSessionStore = defineStore('session', () => {
  const status = ref<SessionStatus>('signed-out');
  const error = ref<string | undefined>();
  const baseUrl = ref('');
  const account = ref('');
  const health = ref<Health | undefined>();
  /** Paths this server's OpenAPI document lists: pages appear only for APIs that exist. */
  const apiPaths = ref<ReadonlySet<string>>(new Set());
  const api = shallowRef<LightkeeperApi | undefined>();
  const http = shallowRef<ReturnType<typeof createHttpClient> | undefined>();

  const signedIn = computed(() => status.value === 'signed-in');
  const hasApi = (path: string) => apiPaths.value.has(path);

  async function connect(url: string, credentials: Credentials): Promise<boolean> {
    status.value = 'signing-in';
    error.value = undefined;
    const client = markRaw(createHttpClient({ baseUrl: url, credentials, ...(fetchImpl ? { fetch: fetchImpl } : {}) }));
    const candidate = lightkeeperApi(client);
    try {
      const [h, doc] = await Promise.all([candidate.health(), candidate.openApi()]);
      health.value = h;
      apiPaths.value = new Set(Object.keys(doc.paths));
      http.value = client;
      api.value = markRaw(candidate);
      baseUrl.value = url;
      account.value = credentials.account;
      status.value = 'signed-in';
      persistence.save({ baseUrl: url, credentials });
      return true;
    } catch (e) {
      status.value = 'signed-out';
      error.value = messageOf(e);
      return false;
    }
  }

  /** The page was reloaded: sign in again with what this tab remembered, if anything. */
  async function restore(): Promise<boolean> {
    const saved = persistence.load();
    if (!saved) return false;
    const ok = await connect(saved.baseUrl, saved.credentials);
    if (!ok) persistence.clear();
    return ok;
  }

  /**
   * Changes an account's password on the server. When it is the signed-in account's own, this
   * console carries on with the new one: every later request, the live stream's next reconnect and
   * this tab's memory (a reload signs in with it), so the administrator is not thrown out.
   */
  async function changePassword(name: AccountName, password: string): Promise<ChangePasswordResult> {
    const result = await api.value!.changePassword(name, password);
    if (name === account.value && http.value) {
      const credentials = { account: name, password };
      http.value.useCredentials(credentials);
      persistence.save({ baseUrl: baseUrl.value, credentials });
    }
    return result;
  }

  function signOut(reason?: string): void {
    persistence.clear();
    api.value = undefined;
    http.value = undefined;
    health.value = undefined;
    status.value = 'signed-out';
    error.value = reason;
  }

  return { status, error, baseUrl, account, health, apiPaths, api, http, signedIn, hasApi, connect, restore, signOut, changePassword };
});
