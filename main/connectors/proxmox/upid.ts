/** Proxmox task ids (proxmox-api.md §4): `UPID:{node}:{pid}:{pstart}:{starttime}:{type}:{id}:{user}:`. */
export type Upid = { node: string; pid: number; pstart: number; starttime: number; type: string; id: string; user: string };

const UPID = /^UPID:([a-zA-Z0-9][a-zA-Z0-9.-]*):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s]+):([^:\s]*):([^:\s]+):$/;

export function parseUpid(text: string): Upid | null {
  const m = UPID.exec(text);
  if (!m) return null;
  return { node: m[1]!, pid: parseInt(m[2]!, 16), pstart: parseInt(m[3]!, 16), starttime: parseInt(m[4]!, 16), type: m[5]!, id: m[6]!, user: m[7]! };
}

const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');

export function formatUpid(u: Upid): string {
  return `UPID:${u.node}:${hex8(u.pid)}:${hex8(u.pstart)}:${hex8(u.starttime)}:${u.type}:${u.id}:${u.user}:`;
}
