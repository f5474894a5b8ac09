import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AccountSummary } from '../../../../main/contract/accounts.ts';
import type { CertificateInfo } from '../../../../main/contract/certificate.ts';
import { messageOf } from '../../api/api-error.ts';
import { useSessionStore } from '../connect/session-store.ts';

/** What the settings page shows: the server's accounts and its certificate (the Administration Server connection has ksc-store). Each loads on its own. */
export const useSettingsStore = defineStore('settings', () => {
  const session = useSessionStore();
  const accounts = ref<AccountSummary[]>([]);
  const accountsError = ref<string | undefined>();
  const certificate = ref<CertificateInfo | undefined>();
  const certificateError = ref<string | undefined>();
  const loading = ref(false);

  async function load(): Promise<void> {
    const api = session.api;
    if (!api) return;
    loading.value = true;
    const [a, c] = await Promise.allSettled([api.accounts(), api.certificate()]);
    if (a.status === 'fulfilled') {
      accounts.value = a.value;
      accountsError.value = undefined;
    } else accountsError.value = messageOf(a.reason);
    if (c.status === 'fulfilled') {
      certificate.value = c.value;
      certificateError.value = undefined;
    } else certificateError.value = messageOf(c.reason);
    loading.value = false;
  }

  return { accounts, accountsError, certificate, certificateError, loading, load };
});
