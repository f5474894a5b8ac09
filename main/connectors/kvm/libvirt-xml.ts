/**
 * The libvirt XML the KVM connector writes (a domain definition) and reads (host capabilities).
 * The domain follows lab.md §2: x86_64 `pc` machine, one virtio qcow2 disk, serial console, no
 * graphics, no balloon; a NIC only when a network is given.
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

export type DomainType = 'kvm' | 'qemu';

export type DomainDefinition = {
  type: DomainType;
  name: string;
  vcpus: number;
  memoryMiB: number;
  diskPath: string;
  /** A libvirt network name; absent means no NIC. */
  network?: string;
};

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true });

export function domainXml(d: DomainDefinition): string {
  return builder.build({
    domain: {
      '@_type': d.type,
      name: d.name,
      memory: { '@_unit': 'MiB', '#text': d.memoryMiB },
      currentMemory: { '@_unit': 'MiB', '#text': d.memoryMiB },
      vcpu: { '@_placement': 'static', '#text': d.vcpus },
      os: { type: { '@_arch': 'x86_64', '@_machine': 'pc', '#text': 'hvm' }, boot: { '@_dev': 'hd' } },
      features: { acpi: '', apic: '' },
      on_poweroff: 'destroy',
      on_reboot: 'restart',
      on_crash: 'destroy',
      devices: {
        disk: {
          '@_type': 'file',
          '@_device': 'disk',
          driver: { '@_name': 'qemu', '@_type': 'qcow2' },
          source: { '@_file': d.diskPath },
          target: { '@_dev': 'vda', '@_bus': 'virtio' },
        },
        ...(d.network !== undefined
          ? { interface: { '@_type': 'network', source: { '@_network': d.network }, model: { '@_type': 'virtio' } } }
          : {}),
        serial: { '@_type': 'pty' },
        console: { '@_type': 'pty' },
        memballoon: { '@_model': 'none' },
      },
    },
  }) as string;
}

export type HostCapabilities = {
  hostUuid: string | null;
  /** Domain types libvirt offers for x86_64 guests: `kvm` only when the host can accelerate. */
  domainTypes: string[];
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  isArray: (name) => ['guest', 'domain', 'arch'].includes(name),
});

type CapsXml = {
  capabilities?: {
    host?: { uuid?: string };
    guest?: { arch?: { '@_name'?: string; domain?: { '@_type'?: string }[] }[] }[];
  };
};

export function parseCapabilities(xml: string): HostCapabilities {
  const caps = (parser.parse(xml) as CapsXml).capabilities;
  const domainTypes = new Set<string>();
  for (const guest of caps?.guest ?? []) {
    for (const arch of guest.arch ?? []) {
      if (arch['@_name'] !== 'x86_64') continue;
      for (const domain of arch.domain ?? []) if (domain['@_type']) domainTypes.add(domain['@_type']);
    }
  }
  return { hostUuid: caps?.host?.uuid ? String(caps.host.uuid) : null, domainTypes: [...domainTypes] };
}
