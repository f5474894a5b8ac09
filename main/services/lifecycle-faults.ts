/**
 * Turns what connectors throw into one sentence a provider's admin understands: connectors already
 * word their errors (SshError, HypervisorError, ProxmoxError, KlconfigError); anything else gets
 * its message with the kind of failure named.
 */
import { HypervisorError } from '../connectors/hypervisor.ts';
import { ProxmoxError } from '../connectors/proxmox/proxmox-client.ts';
import { TlsPeerError } from '../connectors/proxmox/pinned-tls.ts';
import { KlconfigError, KlconfigProtocolError } from '../connectors/ssh/klconfig.ts';
import { SshError } from '../connectors/ssh/ssh-session.ts';

export function describeFault(e: unknown): string {
  if (e instanceof SshError || e instanceof HypervisorError || e instanceof ProxmoxError || e instanceof TlsPeerError || e instanceof KlconfigError || e instanceof KlconfigProtocolError) return e.message;
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return `A file is missing: ${err.path ?? err.message}.`;
  if (err?.code === 'ENOSPC') return 'The disk of the Integration Server is full.';
  return err?.message ?? String(e);
}

/** A short code for the task's error: which side failed. */
export function faultCode(e: unknown): string {
  if (e instanceof SshError) return `LK_Ssh_${e.kind}`;
  if (e instanceof HypervisorError) return `LK_Hypervisor_${e.code}`;
  if (e instanceof ProxmoxError) return `LK_Proxmox_${e.kind}`;
  if (e instanceof KlconfigError || e instanceof KlconfigProtocolError) return 'LK_KlconfigFailed';
  return 'LK_Failed';
}
