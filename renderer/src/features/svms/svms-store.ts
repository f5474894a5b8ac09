import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { AgentsSummaryEvent, SvmSummary } from '../../../../main/contract/svms.ts';
import { messageOf } from '../../api/api-error.ts';
import { useSessionStore } from '../connect/session-store.ts';
import { useLiveStore } from '../live/live-store.ts';

/**
 * The SVM registry as the server sees it, and the live agent counts it publishes. An SVM that
 * comes up, goes stale or comes back is an `svm.state` event: the list reloads then, not on a timer.
 */
export const useSvmsStore = defineStore('svms', () => {
  const session = useSessionStore();
  const live = useLiveStore();
  const items = shallowRef<SvmSummary[]>([]);
  const total = ref(0);
  const fresh = ref(0);
  const stale = ref(0);
  const loading = ref(false);
  const loaded = ref(false);
  const error = ref<string | undefined>();
  /** From the list, then from the live channel; null until the list has loaded. */
  const agents = ref<AgentsSummaryEvent | null>(null);

  async function load(): Promise<void> {
    const api = session.api;
    if (!api) return;
    loading.value = true;
    try {
      const list = await api.svms({ limit: 1000 });
      items.value = list.items;
      total.value = list.total;
      fresh.value = list.fresh;
      stale.value = list.stale;
      agents.value = list.agents;
      loaded.value = true;
      error.value = undefined;
    } catch (e) {
      error.value = messageOf(e);
    } finally {
      loading.value = false;
    }
  }

  /** Forgets a stale SVM; the list reloads on the `svm.state` event that follows. */
  async function forget(svm: SvmSummary): Promise<{ ok: true } | { ok: false; message: string }> {
    const api = session.api;
    if (!api) return { ok: false, message: 'Not connected to a server.' };
    try {
      await api.forgetSvm(svm.id);
      items.value = items.value.filter((s) => s.id !== svm.id);
      return { ok: true };
    } catch (e) {
      return { ok: false, message: messageOf(e) };
    }
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  live.on('svm.state', () => {
    if (!loaded.value) return;
    clearTimeout(timer);
    timer = setTimeout(() => void load(), 300);
  });
  live.on('agents.summary', (s) => {
    agents.value = s;
    fresh.value = s.svmsFresh;
    stale.value = s.svmsStale;
  });
  live.onResync(() => {
    if (loaded.value) void load();
  });

  return { items, total, fresh, stale, loading, loaded, error, agents, load, forget };
});
