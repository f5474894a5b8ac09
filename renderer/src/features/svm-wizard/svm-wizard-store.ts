import { defineStore } from 'pinia';
import { computed, reactive, ref, shallowRef, watch } from 'vue';
import type { Infrastructure, InventoryView } from '../../../../main/contract/infrastructure.ts';
import type { DeployedSvm, DeployRequest, IpSettings, PreflightReport, ReconfigureRequest, RemoveRequest, SvmSettings } from '../../../../main/contract/svm-deployment.ts';
import type { SvmImage } from '../../../../main/contract/svm-images.ts';
import type { Task } from '../../../../main/contract/tasks.ts';
import { ApiError, messageOf } from '../../api/api-error.ts';
import type { WizardAction } from '../../api/lightkeeper-api.ts';
import { useSessionStore } from '../connect/session-store.ts';
import { useLiveStore } from '../live/live-store.ts';
import { ACTIVE_STATES, useTasksStore } from '../tasks/tasks-store.ts';

/** One SVM of a deployment as the settings step edits it (the static fields are kept while DHCP is chosen). */
export type SvmDraft = {
  name: string;
  hostId: string | null;
  storageId: string | null;
  networkId: string | null;
  vcpus: number;
  memoryMiB: number;
  ipMode: 'dhcp' | 'static';
  iface: string;
  ip: string;
  netmask: string;
  broadcast: string;
  gateway: string;
};

/** Everything the wizard's steps collect; passwords are dropped as soon as the task is started. */
export type WizardDraft = {
  action: WizardAction;
  infrastructureId: string | null;
  imageId: string | null;
  svms: SvmDraft[];
  timezone: string;
  dnsServers: string;
  dnsSearch: string;
  kscAddress: string;
  kscSslPort: number;
  kscPort: number | null;
  rootPassword: string;
  configPassword: string;
  parallelism: number;
  /** Remove and reconfigure: the deployed SVMs chosen. */
  svmIds: string[];
  /** Reconfigure: what changes (empty = unchanged). */
  newVcpus: number | null;
  newMemoryMiB: number | null;
  changeKsc: boolean;
};

export const STEP_TITLES = {
  action: 'Action',
  infrastructure: 'Infrastructure',
  image: 'SVM image',
  settings: 'SVM settings',
  connection: 'Administration Server and passwords',
  svms: 'SVMs',
  changes: 'Changes',
  preflight: 'Pre-flight',
  progress: 'Progress',
} as const;
export type WizardStep = keyof typeof STEP_TITLES;

/** The steps of domain.md §4.1 for each action; the last two are the same for all. */
export const STEPS: Record<WizardAction, WizardStep[]> = {
  deploy: ['action', 'infrastructure', 'image', 'settings', 'connection', 'preflight', 'progress'],
  remove: ['action', 'svms', 'preflight', 'progress'],
  reconfigure: ['action', 'svms', 'changes', 'preflight', 'progress'],
};

export const newSvmDraft = (n: number): SvmDraft => ({
  name: `svm-${String(n).padStart(2, '0')}`,
  hostId: null,
  storageId: null,
  networkId: null,
  vcpus: 2,
  memoryMiB: 2048,
  ipMode: 'dhcp',
  iface: '',
  ip: '',
  netmask: '',
  broadcast: '',
  gateway: '',
});

export const newDraft = (): WizardDraft => ({
  action: 'deploy',
  infrastructureId: null,
  imageId: null,
  svms: [newSvmDraft(1)],
  timezone: '',
  dnsServers: '',
  dnsSearch: '',
  kscAddress: '',
  kscSslPort: 13000,
  kscPort: 14000,
  rootPassword: '',
  configPassword: '',
  parallelism: 3,
  svmIds: [],
  newVcpus: null,
  newMemoryMiB: null,
  changeKsc: false,
});

const list = (text: string) => text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);

function ipOf(s: SvmDraft): IpSettings {
  const iface = s.iface.trim() ? { iface: s.iface.trim() } : {};
  if (s.ipMode === 'dhcp') return { mode: 'dhcp', ...iface };
  return { mode: 'static', ...iface, ip: s.ip.trim(), netmask: s.netmask.trim(), broadcast: s.broadcast.trim(), ...(s.gateway.trim() ? { gateway: s.gateway.trim() } : {}) };
}

const svmOf = (s: SvmDraft): SvmSettings => ({
  name: s.name.trim(),
  ...(s.hostId ? { hostId: s.hostId } : {}),
  ...(s.storageId ? { storageId: s.storageId } : {}),
  ...(s.networkId ? { networkId: s.networkId } : {}),
  vcpus: s.vcpus,
  memoryMiB: s.memoryMiB,
  ip: ipOf(s),
});

function dnsOf(d: WizardDraft): DeployRequest['dns'] | undefined {
  const servers = list(d.dnsServers);
  const search = list(d.dnsSearch);
  return servers.length || search.length ? { servers, search } : undefined;
}

const kscOf = (d: WizardDraft) => ({ address: d.kscAddress.trim(), sslPort: d.kscSslPort, ...(d.kscPort ? { port: d.kscPort } : {}) });

/** The request body of the chosen action, exactly as main/contract declares it. */
export function requestOf(d: WizardDraft): DeployRequest | RemoveRequest | ReconfigureRequest {
  if (d.action === 'remove') return { svmIds: [...d.svmIds], parallelism: d.parallelism };
  if (d.action === 'reconfigure') {
    const dns = dnsOf(d);
    const passwords = { ...(d.rootPassword ? { root: d.rootPassword } : {}), ...(d.configPassword ? { config: d.configPassword } : {}) };
    return {
      svmIds: [...d.svmIds],
      ...(d.newVcpus ? { vcpus: d.newVcpus } : {}),
      ...(d.newMemoryMiB ? { memoryMiB: d.newMemoryMiB } : {}),
      ...(d.timezone.trim() ? { timezone: d.timezone.trim() } : {}),
      ...(dns ? { dns } : {}),
      ...(d.changeKsc && d.kscAddress.trim() ? { ksc: kscOf(d) } : {}),
      ...(Object.keys(passwords).length ? { passwords } : {}),
      parallelism: d.parallelism,
    };
  }
  const dns = dnsOf(d);
  return {
    infrastructureId: d.infrastructureId ?? '',
    imageId: d.imageId ?? '',
    svms: d.svms.map(svmOf),
    ...(d.timezone.trim() ? { timezone: d.timezone.trim() } : {}),
    ...(dns ? { dns } : {}),
    ksc: kscOf(d),
    passwords: { root: d.rootPassword, config: d.configPassword },
    parallelism: d.parallelism,
  };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/;
const IPV4 = /^(\d{1,3}\.){3}\d{1,3}$/;

/** What stops a step from going on, in the admin's words; undefined when the step is complete. */
export function stepProblem(step: WizardStep, d: WizardDraft): string | undefined {
  switch (step) {
    case 'infrastructure':
      return d.infrastructureId ? undefined : 'Choose the infrastructure to deploy to.';
    case 'image':
      return d.imageId ? undefined : 'Choose the SVM image.';
    case 'settings': {
      if (d.svms.length === 0) return 'Add at least one SVM.';
      for (const s of d.svms) {
        if (!NAME.test(s.name.trim())) return `"${s.name}" is not a usable SVM name: letters, digits, "." and "-", starting with a letter or digit, at most 63 characters.`;
        if (s.ipMode === 'static') {
          for (const [label, value] of [['IP address', s.ip], ['netmask', s.netmask], ['broadcast address', s.broadcast]] as const) {
            if (!IPV4.test(value.trim())) return `SVM ${s.name}: give the ${label} as four numbers (e.g. 192.0.2.20).`;
          }
          if (s.gateway.trim() && !IPV4.test(s.gateway.trim())) return `SVM ${s.name}: the gateway is four numbers, or empty.`;
        }
      }
      for (const server of list(d.dnsServers)) if (!IPV4.test(server)) return `DNS server "${server}" is not an IPv4 address.`;
      if (list(d.dnsServers).length > 3) return 'At most 3 DNS servers.';
      return undefined;
    }
    case 'connection':
      if (!d.kscAddress.trim()) return "Give the Administration Server's address: each SVM's Network Agent connects to it.";
      if (!/^[A-Za-z0-9.:-]+$/.test(d.kscAddress.trim())) return 'The Administration Server address is a host name or an IP address.';
      if (!d.rootPassword || !d.configPassword) return 'Give the root password and the configuration (klconfig) password the new SVMs get.';
      return undefined;
    case 'svms':
      return d.svmIds.length ? undefined : d.action === 'remove' ? 'Choose the SVMs to remove.' : 'Choose the SVMs to reconfigure.';
    case 'changes':
      return d.newVcpus || d.newMemoryMiB || d.timezone.trim() || list(d.dnsServers).length || list(d.dnsSearch).length || (d.changeKsc && d.kscAddress.trim()) || d.rootPassword || d.configPassword
        ? undefined
        : 'Nothing would change: give vCPUs, RAM, time zone, DNS, the Administration Server connection or a password.';
    default:
      return undefined;
  }
}

/** The run a tab follows survives a reload of the page (this tab only, like the session). */
const RUN_KEY = 'lightkeeper.svm-wizard.run';
type SavedRun = { taskId: string; action: WizardAction; labels: string[] };
const tabStorage = (): Storage | undefined => (typeof sessionStorage === 'undefined' ? undefined : sessionStorage);
function savedRun(): SavedRun | undefined {
  try {
    const run = JSON.parse(tabStorage()?.getItem(RUN_KEY) ?? 'null') as SavedRun | null;
    return run && typeof run.taskId === 'string' && run.action in STEPS && Array.isArray(run.labels) ? run : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The SVM Management Wizard: the steps collect one request, pre-flight runs every check without
 * changing anything, and the started task's progress (and its per-SVM child tasks) comes from the
 * tasks store, which the live channel keeps current. The wizard survives leaving the page.
 */
export const useSvmWizardStore = defineStore('svm-wizard', () => {
  const session = useSessionStore();
  const tasks = useTasksStore();
  const live = useLiveStore();
  const draft = reactive<WizardDraft>(newDraft());
  const stepIndex = ref(0);
  const infrastructures = ref<Infrastructure[]>([]);
  const images = ref<SvmImage[]>([]);
  const deployed = ref<DeployedSvm[]>([]);
  const inventory = shallowRef<InventoryView | null>(null);
  const inventoryError = ref<string | undefined>();
  const loading = ref(false);
  const loaded = ref(false);
  const error = ref<string | undefined>();
  const preflight = ref<PreflightReport | null>(null);
  const preflightError = ref<string | undefined>();
  const checking = ref(false);
  const starting = ref(false);
  const startError = ref<string | undefined>();
  const taskId = ref<string | null>(null);
  /** The SVMs of the started run, in the order its child tasks are created. */
  const runLabels = ref<string[]>([]);

  const resumed = savedRun();
  if (resumed) {
    draft.action = resumed.action;
    taskId.value = resumed.taskId;
    runLabels.value = resumed.labels;
    stepIndex.value = STEPS[resumed.action].indexOf('progress');
  }

  const steps = computed(() => STEPS[draft.action]);
  const step = computed<WizardStep>(() => steps.value[Math.min(stepIndex.value, steps.value.length - 1)]!);
  const problem = computed(() => stepProblem(step.value, draft));
  const task = computed<Task | undefined>(() => (taskId.value ? tasks.byId.get(taskId.value) : undefined));
  const children = computed(() => (taskId.value ? tasks.all.filter((t) => t.parentId === taskId.value).sort((a, b) => (a.created < b.created ? -1 : 1)) : []));
  const finished = computed(() => task.value !== undefined && !ACTIVE_STATES.has(task.value.state));

  async function load(): Promise<void> {
    const api = session.api;
    if (!api) return;
    loading.value = true;
    try {
      const [infra, imgs, svms] = await Promise.all([api.infrastructures(), api.svmImages(), api.deployedSvms()]);
      infrastructures.value = infra.items;
      images.value = imgs.items;
      deployed.value = svms.items;
      if (!draft.infrastructureId && infra.items.length === 1) draft.infrastructureId = infra.items[0]!.id;
      if (!draft.imageId && imgs.items.length === 1) draft.imageId = imgs.items[0]!.id;
      // The Network Agent goes to the Administration Server Lightkeeper itself uses, unless told otherwise.
      if (!draft.kscAddress && session.hasApi('/api/v1/ksc')) {
        const ksc = await api.ksc().catch(() => undefined);
        if (ksc?.address) draft.kscAddress = ksc.address;
      }
      loaded.value = true;
      error.value = undefined;
    } catch (e) {
      error.value = messageOf(e);
    } finally {
      loading.value = false;
    }
    if (taskId.value) await refreshTask();
  }

  /** Hosts, storage and networks of the chosen infrastructure, for the settings step. */
  async function loadInventory(): Promise<void> {
    inventory.value = null;
    inventoryError.value = undefined;
    const id = draft.infrastructureId;
    if (!id) return;
    try {
      const inv = await session.api!.infrastructureInventory(id);
      if (draft.infrastructureId === id) inventory.value = inv;
    } catch (e) {
      inventoryError.value = messageOf(e);
    }
  }

  // A pre-flight answers for the request it checked: any change makes it stale.
  watch(
    () => JSON.stringify(requestOf(draft)),
    () => {
      if (!taskId.value) preflight.value = null;
    },
  );
  watch(
    () => draft.infrastructureId,
    () => {
      inventory.value = null;
      for (const svm of draft.svms) svm.hostId = svm.storageId = svm.networkId = null;
    },
  );
  watch(
    () => draft.action,
    () => {
      stepIndex.value = Math.min(stepIndex.value, STEPS[draft.action].length - 1);
      draft.svmIds = [];
    },
  );

  function next(): boolean {
    if (problem.value) return false;
    if (stepIndex.value < steps.value.length - 2) stepIndex.value++;
    if (step.value === 'settings' && !inventory.value) void loadInventory();
    return true;
  }
  function back(): void {
    if (stepIndex.value > 0 && step.value !== 'progress') stepIndex.value--;
  }
  function goTo(target: WizardStep): void {
    const i = steps.value.indexOf(target);
    if (i >= 0 && step.value !== 'progress') stepIndex.value = i;
  }

  async function runPreflight(): Promise<void> {
    checking.value = true;
    preflight.value = null;
    preflightError.value = undefined;
    try {
      preflight.value = await session.api!.wizardPreflight(draft.action, requestOf(draft) as never);
    } catch (e) {
      preflightError.value = messageOf(e);
    } finally {
      checking.value = false;
    }
  }

  /** Starts the action; its task is then followed live. The passwords are forgotten here. */
  async function start(): Promise<boolean> {
    if (!preflight.value?.ok) return false;
    starting.value = true;
    startError.value = undefined;
    try {
      const t = await session.api!.startWizard(draft.action, requestOf(draft) as never);
      runLabels.value =
        draft.action === 'deploy' ? draft.svms.map((s) => s.name.trim()) : draft.svmIds.map((id) => deployed.value.find((s) => s.id === id)?.name ?? id);
      tasks.put(t);
      taskId.value = t.id;
      tabStorage()?.setItem(RUN_KEY, JSON.stringify({ taskId: t.id, action: draft.action, labels: runLabels.value } satisfies SavedRun));
      draft.rootPassword = '';
      draft.configPassword = '';
      stepIndex.value = steps.value.indexOf('progress');
      return true;
    } catch (e) {
      startError.value = messageOf(e);
      return false;
    } finally {
      starting.value = false;
    }
  }

  async function refreshTask(): Promise<void> {
    if (!taskId.value) return;
    try {
      tasks.put(await session.api!.task(taskId.value));
    } catch (e) {
      // A task the server no longer knows (another data folder): start over. Otherwise the live
      // channel will bring it; the page shows the last known state meanwhile.
      if (e instanceof ApiError && e.status === 404) restart();
    }
  }

  const cancel = () => (taskId.value ? tasks.cancel(taskId.value) : Promise.resolve({ ok: false, message: 'No task is running.' }));

  /** After the result: a new run, keeping the choices of the last one but not its secrets. */
  function restart(): void {
    tabStorage()?.removeItem(RUN_KEY);
    taskId.value = null;
    preflight.value = null;
    startError.value = undefined;
    draft.rootPassword = '';
    draft.configPassword = '';
    draft.svmIds = [];
    stepIndex.value = 0;
    void load();
  }

  // A finished deployment or removal changes the list of deployed SVMs the next run picks from.
  watch(finished, (done) => {
    if (done && session.api) void session.api.deployedSvms().then((r) => (deployed.value = r.items)).catch(() => undefined);
  });
  live.onResync(() => void refreshTask());

  return {
    draft,
    stepIndex,
    steps,
    step,
    problem,
    infrastructures,
    images,
    deployed,
    inventory,
    inventoryError,
    loading,
    loaded,
    error,
    preflight,
    preflightError,
    checking,
    starting,
    startError,
    taskId,
    runLabels,
    task,
    children,
    finished,
    load,
    loadInventory,
    next,
    back,
    goTo,
    runPreflight,
    start,
    cancel,
    restart,
  };
});
