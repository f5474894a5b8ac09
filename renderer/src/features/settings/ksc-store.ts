import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { KscSettingsView, KscTestReportView } from '../../../../main/contract/ksc.ts';
import { ApiError, messageOf } from '../../api/api-error.ts';
import { useSessionStore } from '../connect/session-store.ts';

export const KSC_DEFAULT_PORT = 13299;
export type KscDraft = { address: string; port: number | null; user: string; password: string };

/**
 * The Administration Server connection. Pinning is two calls, as on the CLI: `probe` shows the
 * certificate fingerprint the server presents, `save` stores it only with the fingerprint the
 * administrator confirmed. The password goes to the server and is never shown again.
 */
export const useKscStore = defineStore('ksc', () => {
  const session = useSessionStore();
  const view = ref<KscSettingsView | undefined>();
  const error = ref<string | undefined>();
  const test = ref<KscTestReportView | undefined>();
  const testing = ref(false);
  /** The fingerprint the server presented for the address being set up, waiting for confirmation. */
  const presented = ref<{ address: string; port: number; fingerprint: string } | null>(null);
  const busy = ref(false);

  async function load(): Promise<void> {
    if (!session.api) return;
    try {
      view.value = await session.api.ksc();
      error.value = undefined;
    } catch (e) {
      error.value = messageOf(e);
    }
  }

  function problemOf(d: KscDraft): string | undefined {
    if (!d.address.trim()) return "Give the Administration Server's address.";
    if (!d.user.trim()) return 'Give the account Lightkeeper signs in to the Administration Server with.';
    if (!d.password) return "Give that account's password.";
    return undefined;
  }

  /** Step 1: the certificate the server presents. Resolves with a sentence when it cannot be read. */
  async function probe(d: KscDraft): Promise<string | undefined> {
    const problem = problemOf(d);
    if (problem) return problem;
    busy.value = true;
    try {
      const port = d.port ?? KSC_DEFAULT_PORT;
      const r = await session.api!.probeKsc(d.address.trim(), port);
      presented.value = { address: d.address.trim(), port, fingerprint: r.fingerprint };
      return undefined;
    } catch (e) {
      if (e instanceof ApiError && e.code === 'KSC_Unreachable') {
        return `Cannot reach the Administration Server at ${d.address.trim()}:${d.port ?? KSC_DEFAULT_PORT} (${e.message}). Check the address and the port (its OpenAPI listens on ${KSC_DEFAULT_PORT} by default) and that no firewall is in between.`;
      }
      return messageOf(e);
    } finally {
      busy.value = false;
    }
  }

  /** Step 2: stores the settings with the confirmed fingerprint. */
  async function save(d: KscDraft): Promise<string | undefined> {
    const problem = problemOf(d);
    if (problem) return problem;
    if (!presented.value) return 'Show the certificate first and compare its fingerprint.';
    busy.value = true;
    try {
      view.value = await session.api!.setKsc({ address: presented.value.address, port: presented.value.port, user: d.user.trim(), password: d.password, pinnedFingerprint: presented.value.fingerprint });
      presented.value = null;
      test.value = undefined;
      error.value = undefined;
      return undefined;
    } catch (e) {
      return messageOf(e);
    } finally {
      busy.value = false;
    }
  }

  async function clear(): Promise<string | undefined> {
    try {
      await session.api!.clearKsc();
      test.value = undefined;
      await load();
      return undefined;
    } catch (e) {
      return messageOf(e);
    }
  }

  /** Every check of the connection, each with its own verdict. */
  async function runTest(): Promise<void> {
    testing.value = true;
    test.value = undefined;
    try {
      test.value = await session.api!.testKsc();
      error.value = undefined;
    } catch (e) {
      error.value = messageOf(e);
    } finally {
      testing.value = false;
    }
  }

  const forget = () => (presented.value = null);

  return { view, error, test, testing, presented, busy, load, probe, save, clear, runTest, forget };
});
