/**
 * The lab's answer to "where is the SVM that just started?": each deployed VM is paired with a
 * free lab SVM address (its klconfig state reset), once the hypervisor says the VM runs; the pair
 * is undone when the SVM is removed. Shaped like the server's SvmAddressSource.
 */
import type { HypervisorConnector, VmRef } from '../../connectors/hypervisor.ts';
import type { LabSvmHost } from './lab-svm-host.ts';

export function labAddressSource(host: LabSvmHost) {
  const byName = new Map<string, string>();
  return {
    async resolve({ connector, vm, svmName }: { connector: HypervisorConnector; vm: VmRef; svmName: string }) {
      if ((await connector.vmState(vm)) !== 'running') return null;
      let address = byName.get(svmName);
      if (!address) {
        const taken = new Set(byName.values());
        address = host.addresses.find((a) => !taken.has(a));
        if (!address) throw new Error(`All ${host.addresses.length} lab SVM addresses are in use.`);
        host.reset(address);
        byName.set(svmName, address);
      }
      return { host: address, port: host.port };
    },
    async release(svmName: string) {
      byName.delete(svmName);
    },
    addressOf: (svmName: string) => byName.get(svmName),
  };
}
