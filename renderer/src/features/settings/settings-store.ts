import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AccountSummary } from '../../../../main/contract/accounts.ts';
import type { CertificateInfo } from '../../../../main/contract/certificate.ts';
import type { KscSettingsView, KscTestReportView } from '../../../../main/contract/ksc.ts';
import { messageOf } from '../../api/api-error.ts';
import { useSessionStore } from '../connect/session-store.ts';

/** What the settings page shows: the server's accounts and its certificate. Each loads on its own. */
export const useSettingsStore = defineStore('settings', () => {
  const session = useSessionStore();
  const accounts = ref<AccountSummary[]>([]);
  const accountsError = ref<string | undefined>();
  const certificate = ref<CertificateInfo | undefined>();
  const certificateError = ref<string | undefined>();
  const loading = ref(false);
  const ksc = ref<KscSettingsView | undefined>();
  const kscTest = ref<KscTestReportView | undefined>();
  const kscError = ref<string | undefined>();

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
    if (session.hasApi('/api/v1/ksc')) {
      try {
        ksc.value = await api.ksc();
        kscError.value = undefined;
      } catch (e) {
        kscError.value = messageOf(e);
      }
    }
    loading.value = false;
  }

  /** Every check of the Administration Server connection, each with its own verdict. */
  async function testKsc(): Promise<void> {
    kscTest.value = undefined;
    try {
      kscTest.value = await session.api!.testKsc();
      kscError.value = undefined;
    } catch (e) {
      kscError.value = messageOf(e);
    }
  }

  return { accounts, accountsError, certificate, certificateError, loading, ksc, kscTest, kscError, load, testKsc };
});
