/**
 * Recognises a disk image by its first bytes, not its name: qcow2 is usable; OVA, VHDX, VMDK,
 * VHD and ISO are named so the refusal can say what the file is and what to do with it.
 */
import { open } from 'node:fs/promises';

export type ImageFormat = 'qcow2' | 'ova' | 'vhdx' | 'vmdk' | 'vhd' | 'iso' | 'unknown';

export async function detectImageFormat(path: string): Promise<ImageFormat> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(0x8806);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const b = head.subarray(0, bytesRead);
    if (b.subarray(0, 4).equals(Buffer.from([0x51, 0x46, 0x49, 0xfb]))) return 'qcow2';
    if (b.subarray(0, 8).toString('latin1') === 'vhdxfile') return 'vhdx';
    if (b.subarray(0, 4).toString('latin1') === 'KDMV' || b.subarray(0, 21).toString('latin1') === '# Disk DescriptorFile') return 'vmdk';
    if (b.subarray(0, 8).toString('latin1') === 'conectix') return 'vhd';
    // An OVA is a tar archive whose first member is the .ovf descriptor.
    if (b.subarray(257, 262).toString('latin1') === 'ustar' && /\.ovf\0/i.test(b.subarray(0, 100).toString('latin1'))) return 'ova';
    if (b.subarray(0x8001, 0x8006).toString('latin1') === 'CD001') return 'iso';
    // A fixed VHD has its footer at the end only.
    const { size } = await fh.stat();
    if (size >= 512) {
      const tail = Buffer.alloc(8);
      await fh.read(tail, 0, 8, size - 512);
      if (tail.toString('latin1') === 'conectix') return 'vhd';
    }
    return 'unknown';
  } finally {
    await fh.close();
  }
}

/** Why a recognised non-qcow2 image cannot be used, and what to do instead. */
export function refusalFor(format: Exclude<ImageFormat, 'qcow2'>, file: string): string {
  const convert = `Convert it with: qemu-img convert -O qcow2 ${file} svm.qcow2 — then import the qcow2.`;
  switch (format) {
    case 'ova':
      return `${file} is an OVA package (for VMware vSphere and other OVF importers). Lightkeeper deploys SVMs on KVM and Proxmox VE, which need the qcow2 SVM image; VMware vSphere is not supported yet. Download the KVM/Proxmox image of the SVM, or extract the disk from the OVA and convert it. ${convert}`;
    case 'vhdx':
    case 'vhd':
      return `${file} is a Hyper-V ${format.toUpperCase()} disk. Lightkeeper deploys SVMs on KVM and Proxmox VE, which need the qcow2 SVM image; Microsoft Hyper-V is not supported yet. ${convert}`;
    case 'vmdk':
      return `${file} is a VMware VMDK disk; KVM and Proxmox VE deployments need the qcow2 SVM image. ${convert}`;
    case 'iso':
      return `${file} is an ISO installation image, not an SVM disk image. Import the SVM's qcow2 image.`;
    case 'unknown':
      return `${file} is not a disk image Lightkeeper recognises (qcow2 expected; OVA, VHDX, VHD, VMDK are recognised but cannot be deployed on KVM or Proxmox VE).`;
  }
}
