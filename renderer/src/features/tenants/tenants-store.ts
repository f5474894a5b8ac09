import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { TENANT_TASK_TYPES, type CreateTenantRequest, type Tenant, type TenantStatus, type TenantType } from '../../../../main/contract/tenants.ts';
import type { Task } from '../../../../main/contract/tasks.ts';
import { messageOf } from '../../api/api-error.ts';
import { useSessionStore } from '../connect/session-store.ts';
import { useLiveStore } from '../live/live-store.ts';

const PAGE = 1000;
/** A screenful and more: what the first request of the first load asks for, so rows appear at once. */
const FIRST_PAGE = 100;
/** A provider with more tenants than this is past what one table should hold; the server filters then. */
export const TENANT_LIMIT = 20_000;
const TENANT_TASKS: ReadonlySet<string> = new Set(Object.values(TENANT_TASK_TYPES));
const FINISHED: ReadonlySet<string> = new Set(['Completed', 'Failed', 'Canceled']);

/**
 * Every tenant, loaded page by page into one virtual table, filtered here so typing in the
 * search box never waits for the server. Tenant changes are tasks: when one finishes, reload.
 */
export const useTenantsStore = defineStore('tenants', () => {
  const session = useSessionStore();
  const live = useLiveStore();
  const items = shallowRef<Tenant[]>([]);
  const total = ref(0);
  const loading = ref(false);
  const loaded = ref(false);
  const error = ref<string | undefined>();
  const search = ref('');
  const statusFilter = ref<TenantStatus | null>(null);
  const typeFilter = ref<TenantType | null>(null);

  async function load(): Promise<void> {
    const api = session.api;
    if (!api) return;
    loading.value = true;
    error.value = undefined;
    try {
      const all: Tenant[] = [];
      // The first load shows a first small page at once, so rows appear after one short request,
      // not after all of them (10 for 10,000 tenants); the rest replaces it in one go, so the table
      // is rebuilt once more, not once per page. A reload keeps the list it has until the new one is complete.
      const firstLoad = !loaded.value;
      for (let offset = 0, limit = firstLoad ? FIRST_PAGE : PAGE; offset < TENANT_LIMIT; offset += limit, limit = PAGE) {
        const page = await api.tenants({ limit, offset, sort: 'name', order: 'asc' });
        all.push(...page.items);
        total.value = page.total;
        if (all.length >= page.total || page.items.length === 0) break;
        if (firstLoad && offset === 0) {
          items.value = all.slice();
          loaded.value = true;
        }
      }
      items.value = all;
      loaded.value = true;
    } catch (e) {
      error.value = messageOf(e);
    } finally {
      loading.value = false;
    }
  }

  const rows = computed(() => {
    const q = search.value.trim().toLowerCase();
    return items.value.filter(
      (t) =>
        (!statusFilter.value || t.status === statusFilter.value) &&
        (!typeFilter.value || t.type === typeFilter.value) &&
        (!q || t.name.toLowerCase().includes(q) || t.description.toLowerCase().includes(q) || t.id.startsWith(q)),
    );
  });
  const counts = computed(() => ({
    active: items.value.filter((t) => t.status === 'Active').length,
    inactive: items.value.filter((t) => t.status === 'Inactive').length,
  }));

  /** Runs a tenant operation; resolves with the task it started, or the reason it was refused. */
  async function run(start: () => Promise<Task>): Promise<{ ok: true; task: Task } | { ok: false; message: string }> {
    try {
      return { ok: true, task: await start() };
    } catch (e) {
      return { ok: false, message: messageOf(e) };
    }
  }
  const create = (request: CreateTenantRequest) => run(() => session.api!.createTenant(request));
  const changeActivation = (tenant: Tenant, change: 'activate' | 'deactivate') => run(() => session.api!.changeTenantActivation(tenant.id, change));
  const remove = (tenant: Tenant, removeArtifacts: boolean) => run(() => session.api!.deleteTenant(tenant.id, removeArtifacts));

  let reloadTimer: ReturnType<typeof setTimeout> | undefined;
  live.on('task.changed', (task) => {
    if (!loaded.value || !TENANT_TASKS.has(task.type) || !FINISHED.has(task.state)) return;
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => void load(), 300);
  });
  live.onResync(() => {
    if (loaded.value) void load();
  });

  return { items, total, loading, loaded, error, search, statusFilter, typeFilter, rows, counts, load, create, changeActivation, remove };
});
