/**
 * Every virtualization platform of seed 002 (domain.md §4.3), with the scope the vendor supports on
 * it. Declared here, not in the connectors, because the console shows the list and may only import
 * the contract.
 */
export const PLATFORMS = {
  'vmware-vsphere': { title: 'VMware vSphere', scope: 'ESXi hosts, standalone or in clusters, under vCenter Server (also Linked mode)' },
  xenserver: { title: 'XenServer', scope: 'a standalone host or a host in a pool; local or pool shared storage' },
  'microsoft-hyper-v': { title: 'Microsoft Hyper-V', scope: 'a standalone Windows Server host or hosts in a Failover Clustering cluster' },
  kvm: { title: 'KVM', scope: 'a standalone KVM hypervisor (libvirt over SSH)' },
  'proxmox-ve': { title: 'Proxmox VE', scope: 'a standalone Proxmox VE hypervisor' },
  basis: { title: 'Basis', scope: 'R-Virtualization hypervisors in a cluster managed by Basis.vControl' },
  'skala-r': { title: 'Skala-R', scope: 'R-Virtualization hypervisors in a cluster managed by Skala-R Management' },
  'huawei-fusionsphere': { title: 'HUAWEI FusionSphere', scope: 'FusionCompute CNA hosts, standalone or in a cluster, managed by a FusionCompute VRM' },
  'nutanix-acropolis': { title: 'Nutanix Acropolis', scope: 'AHV hosts in a cluster managed by Prism Element, optionally under Prism Central' },
  openstack: { title: 'OpenStack', scope: 'hypervisors within OpenStack projects (Keystone)' },
  'vk-cloud': { title: 'VK Cloud', scope: 'hypervisors within VK Cloud projects (Keystone)' },
  tionix: { title: 'TIONIX Cloud Platform', scope: 'hypervisors within TIONIX projects (Keystone)' },
  'alt-virtualization-server': { title: 'ALT Virtualization Server', scope: 'a standalone hypervisor' },
  'astra-linux': { title: 'Astra Linux Platform', scope: 'a standalone KVM hypervisor on Astra Linux' },
  'numa-vserver': { title: 'Numa vServer', scope: 'a standalone hypervisor' },
} as const satisfies Record<string, { title: string; scope: string }>;

export type Platform = keyof typeof PLATFORMS;
export const PLATFORM_IDS = Object.keys(PLATFORMS) as Platform[];
export const isPlatform = (value: string): value is Platform => Object.hasOwn(PLATFORMS, value);

/** How the Integration Server reaches a platform, so the peer identity to pin is known. */
export const PLATFORM_TRANSPORT: Record<Platform, 'ssh' | 'https'> = {
  'vmware-vsphere': 'https',
  xenserver: 'https',
  'microsoft-hyper-v': 'https',
  kvm: 'ssh',
  'proxmox-ve': 'https',
  basis: 'https',
  'skala-r': 'https',
  'huawei-fusionsphere': 'https',
  'nutanix-acropolis': 'https',
  openstack: 'https',
  'vk-cloud': 'https',
  tionix: 'https',
  'alt-virtualization-server': 'ssh',
  'astra-linux': 'ssh',
  'numa-vserver': 'ssh',
};

export const DEFAULT_PORTS: Record<'ssh' | 'https', number> = { ssh: 22, https: 443 };
export const defaultPort = (platform: Platform): number => (platform === 'proxmox-ve' ? 8006 : DEFAULT_PORTS[PLATFORM_TRANSPORT[platform]]);
