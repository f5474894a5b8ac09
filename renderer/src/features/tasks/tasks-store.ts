import { defineStore } from 'pinia';
import { computed, ref, shallowRef, triggerRef } from 'vue';
import { TASK_STATES, type SelfTestTaskRequest, type Task, type TaskState } from '../../../../main/contract/tasks.ts';
import { messageOf } from '../../api/api-error.ts';
import { useSessionStore } from '../connect/session-store.ts';
import { useLiveStore } from '../live/live-store.ts';

/** How many of the newest tasks the console keeps; the table is virtual, so this is about memory. */
export const TASK_WINDOW = 1000;
export const ACTIVE_STATES: ReadonlySet<TaskState> = new Set(['Created', 'Queued', 'Starting', 'Running', 'Stopping']);

const isNewer = (a: Task, b: Task | undefined) => !b || a.changed >= b.changed;

/**
 * The newest tasks, kept current by `task.changed` events. A change that arrives while a reload is
 * in flight is not lost: of two copies of a task, the one changed last wins.
 */
export const useTasksStore = defineStore('tasks', () => {
  const session = useSessionStore();
  const live = useLiveStore();
  // A shallow Map with explicit triggers: one SSE event per progress tick must not deep-walk 1,000 rows.
  const byId = shallowRef(new Map<string, Task>());
  const total = ref(0);
  const loading = ref(false);
  const loaded = ref(false);
  const error = ref<string | undefined>();
  const stateFilter = ref<TaskState | null>(null);
  const search = ref('');

  function put(task: Task): void {
    const known = byId.value.get(task.id);
    if (!isNewer(task, known)) return;
    if (!known) total.value++;
    byId.value.set(task.id, task);
    triggerRef(byId);
  }

  async function load(): Promise<void> {
    const api = session.api;
    if (!api) return;
    loading.value = true;
    error.value = undefined;
    try {
      // The API lists oldest first; ask for the count, then for the newest window.
      const head = await api.tasks({ limit: 1 });
      const page = await api.tasks({ limit: TASK_WINDOW, offset: Math.max(0, head.total - TASK_WINDOW) });
      const next = new Map<string, Task>();
      for (const t of page.items) {
        const mine = byId.value.get(t.id);
        next.set(t.id, mine && isNewer(mine, t) ? mine : t);
      }
      byId.value = next;
      total.value = page.total;
      loaded.value = true;
    } catch (e) {
      error.value = messageOf(e);
    } finally {
      loading.value = false;
    }
  }

  const all = computed(() => [...byId.value.values()].sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0)));
  const rows = computed(() => {
    const q = search.value.trim().toLowerCase();
    return all.value.filter(
      (t) => (!stateFilter.value || t.state === stateFilter.value) && (!q || t.type.toLowerCase().includes(q) || t.stage.toLowerCase().includes(q) || t.id.startsWith(q)),
    );
  });
  const countByState = computed(() => {
    const counts = Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as Record<TaskState, number>;
    for (const t of byId.value.values()) counts[t.state]++;
    return counts;
  });
  const active = computed(() => all.value.filter((t) => ACTIVE_STATES.has(t.state)));

  /** Starts the engine's self-test: a harmless task to see progress, cancel and rollback work. */
  async function startSelfTest(request: Partial<SelfTestTaskRequest>): Promise<Task> {
    const task = await session.api!.startSelfTest(request);
    put(task);
    return task;
  }

  /** Cancels a task; resolves with a sentence for the user either way. */
  async function cancel(id: string): Promise<{ ok: boolean; message: string }> {
    try {
      const task = await session.api!.cancelTask(id);
      put(task);
      return task.state === 'Canceled'
        ? { ok: true, message: 'The task was canceled; its finished steps were rolled back.' }
        : { ok: true, message: 'The task is stopping at its next safe point; finished steps will be rolled back.' };
    } catch (e) {
      return { ok: false, message: messageOf(e) };
    }
  }

  live.on('task.changed', put);
  live.onResync(() => void load());

  return { byId, total, loading, loaded, error, stateFilter, search, rows, all, countByState, active, load, put, startSelfTest, cancel };
});
