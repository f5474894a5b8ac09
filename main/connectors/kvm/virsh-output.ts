/**
 * Parsers for virsh's text answers (run with LC_ALL=C, so the labels are the English ones) and
 * for the sectioned output of the connector's one-round-trip inventory script.
 */
import type { VmPowerState } from '../hypervisor.ts';

/** `Key:   value` lines, as dominfo, nodeinfo, pool-info and net-info print them. */
export function parseFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return fields;
}

const int = (value: string | undefined): number | null => {
  const n = value === undefined ? NaN : Number.parseInt(value, 10);
  return Number.isFinite(n) ? n : null;
};

/** `131072 KiB` → 128 (MiB). */
export function kibToMiB(value: string | undefined): number | null {
  const kib = int(value);
  return kib === null ? null : Math.round(kib / 1024);
}

/** `virsh domstate` / dominfo `State:` → the connector's power state. */
export function powerState(state: string): VmPowerState {
  switch (state.trim().replace(/\s*\(.*\)$/, '')) {
    case 'running':
    case 'idle':
    case 'blocked':
      return 'running';
    case 'paused':
      return 'paused';
    case 'in shutdown':
      return 'stopping';
    case 'shut off':
      return 'stopped';
    case 'crashed':
      return 'crashed';
    case 'pmsuspended':
      return 'suspended';
    default:
      return 'unknown';
  }
}

export type DomInfo = {
  uuid: string;
  name: string;
  state: VmPowerState;
  vcpus: number | null;
  maxMemoryMiB: number | null;
  memoryMiB: number | null;
};

export function parseDominfo(text: string): DomInfo {
  const f = parseFields(text);
  return {
    uuid: f.get('UUID') ?? '',
    name: f.get('Name') ?? '',
    state: powerState(f.get('State') ?? ''),
    vcpus: int(f.get('CPU(s)')),
    maxMemoryMiB: kibToMiB(f.get('Max memory')),
    memoryMiB: kibToMiB(f.get('Used memory')),
  };
}

export function parseNodeinfo(text: string): { cpus: number | null; memoryMiB: number | null } {
  const f = parseFields(text);
  return { cpus: int(f.get('CPU(s)')), memoryMiB: kibToMiB(f.get('Memory size')) };
}

/** `virsh pool-info --bytes`. */
export function parsePoolInfo(text: string) {
  const f = parseFields(text);
  return {
    name: f.get('Name') ?? '',
    uuid: f.get('UUID') ?? '',
    active: f.get('State') === 'running',
    capacityBytes: int(f.get('Capacity')),
    freeBytes: int(f.get('Available')),
  };
}

export function parseNetInfo(text: string) {
  const f = parseFields(text);
  return { name: f.get('Name') ?? '', uuid: f.get('UUID') ?? '', active: f.get('Active') === 'yes' };
}

/** `virsh domblklist --details`: the file-backed disks' paths. */
export function parseDomblklist(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 4 && cols[0] === 'file' && cols[1] === 'disk' && cols[3] !== '-')
    .map((cols) => cols.slice(3).join(' '));
}

/**
 * The inventory script prints `@@<section> <key>` before each part; returns the parts in order.
 * A section's key is the object's UUID (names may hold spaces, UUIDs cannot).
 */
export function splitSections(text: string): { section: string; key: string; body: string }[] {
  const parts: { section: string; key: string; body: string }[] = [];
  let current: { section: string; key: string; lines: string[] } | null = null;
  for (const line of text.split('\n')) {
    const marker = /^@@(\S+)(?: (.*))?$/.exec(line);
    if (marker) {
      if (current) parts.push({ section: current.section, key: current.key, body: current.lines.join('\n') });
      current = { section: marker[1]!, key: (marker[2] ?? '').trim(), lines: [] };
    } else if (current) {
      current.lines.push(line);
    }
  }
  if (current) parts.push({ section: current.section, key: current.key, body: current.lines.join('\n') });
  return parts;
}
