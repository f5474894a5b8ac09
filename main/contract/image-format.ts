/**
 * A disk image recognised by its first bytes, not its name: qcow2 is usable; OVA, VHDX, VMDK, VHD
 * and ISO are named so the refusal can say what the file is and what to do with it. Shared by the
 * server, which decides, and the console, which reads the same bytes of a chosen file and says so
 * before sending gigabytes that would be refused.
 */

export type ImageFormat = 'qcow2' | 'ova' | 'vhdx' | 'vmdk' | 'vhd' | 'iso' | 'unknown';

/** How much of the start of a file `imageFormatOf` reads: up to the ISO 9660 volume descriptor. */
export const IMAGE_HEAD_BYTES = 0x8806;
/** A fixed VHD has its footer only at the end: its first 8 bytes, 512 bytes from the end. */
export const VHD_FOOTER_FROM_END = 512;
export const VHD_FOOTER_BYTES = 8;

const startsAt = (bytes: Uint8Array, offset: number, text: string): boolean => {
  if (bytes.length < offset + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[offset + i] !== text.charCodeAt(i)) return false;
  return true;
};

/** An OVA is a tar archive whose first member is the .ovf descriptor: its name ends ".ovf" (any case). */
const namesOvfDescriptor = (bytes: Uint8Array): boolean => {
  const name = bytes.subarray(0, Math.min(100, bytes.length));
  const end = name.indexOf(0);
  if (end < 4) return false;
  const ext = String.fromCharCode(...name.subarray(end - 4, end)).toLowerCase();
  return ext === '.ovf';
};

/**
 * The format of an image, from its first `IMAGE_HEAD_BYTES` bytes (fewer if the file is shorter)
 * and the `VHD_FOOTER_BYTES` at `VHD_FOOTER_FROM_END` from its end (null when it is shorter).
 */
export function imageFormatOf(head: Uint8Array, vhdFooter: Uint8Array | null): ImageFormat {
  if (head[0] === 0x51 && head[1] === 0x46 && head[2] === 0x49 && head[3] === 0xfb) return 'qcow2';
  if (startsAt(head, 0, 'vhdxfile')) return 'vhdx';
  if (startsAt(head, 0, 'KDMV') || startsAt(head, 0, '# Disk DescriptorFile')) return 'vmdk';
  if (startsAt(head, 0, 'conectix')) return 'vhd';
  if (startsAt(head, 257, 'ustar') && namesOvfDescriptor(head)) return 'ova';
  if (startsAt(head, 0x8001, 'CD001')) return 'iso';
  if (vhdFooter && startsAt(vhdFooter, 0, 'conectix')) return 'vhd';
  return 'unknown';
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
