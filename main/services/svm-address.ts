/**
 * Where the Integration Server finds a freshly started SVM's klconfig (the "wait for address"
 * stage). On a real platform the guest reports its address through the hypervisor (guest agent or
 * DHCP lease) and klconfig listens on port 22. The lab replaces this with its own source (its SVMs
 * are sshd endpoints on loopback), passed in by the composition root or a test.
 */
import type { HypervisorConnector, VmRef } from '../connectors/hypervisor.ts';

export type SvmEndpoint = { host: string; port: number };

export type SvmAddressSource = {
  /** The SVM's klconfig endpoint, or null while it has none yet. */
  resolve(args: { connector: HypervisorConnector; vm: VmRef; svmName: string }): Promise<SvmEndpoint | null>;
  /** The SVM is gone: a source that hands out endpoints may reuse its one. */
  release?(svmName: string): Promise<void>;
};

export const hypervisorAddressSource: SvmAddressSource = {
  async resolve({ connector, vm }) {
    const [first] = await connector.guestAddresses(vm);
    return first ? { host: first, port: 22 } : null;
  },
};
