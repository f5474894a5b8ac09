/**
 * What the fake Proxmox VE node holds: VMs with their config, volumes as real files in a folder
 * (so a test can see that nothing is left), and UPID tasks. Tests read it and inject faults.
 */
export type FakeVm = {
  vmid: number;
  name: string;
  status: 'running' | 'stopped';
  config: Record<string, string | number>;
  /** Volume ids of its disks, e.g. `local-lvm:vm-101-disk-0`. */
  disks: string[];
  startedAt: number | null;
};

export type FakeTask = { upid: string; type: string; id: string; user: string; status: 'running' | 'stopped'; exitstatus?: string; log: string[]; starttime: number };

export type FakeStorage = { storage: string; type: 'dir' | 'lvmthin'; content: string[]; total: number };

/** Operations a test can make fail once (or until cleared): the task ends with this error text. */
export type FaultPoint = 'upload' | 'qmcreate' | 'qmstart' | 'qmstop' | 'qmdestroy' | 'agent' | 'imgdel';

export type FakeProxmoxState = {
  node: string;
  vms: Map<number, FakeVm>;
  tasks: Map<string, FakeTask>;
  storages: FakeStorage[];
  faults: Map<FaultPoint, string>;
  /** The address the guest agent reports for a running VM; null = agent not running yet. */
  guestAddress: (vm: FakeVm) => string | null;
};
