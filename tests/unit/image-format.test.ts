import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectImageFormat, refusalFor } from '../../main/services/image-format.ts';

const dir = mkdtempSync(join(tmpdir(), 'lk-imgfmt-'));
const file = (name: string, bytes: Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};
const padded = (head: Buffer, size = 0x9000) => Buffer.concat([head, Buffer.alloc(size - head.length)]);

describe('image format by content, not by name', () => {
  it('recognises qcow2, VHDX, VMDK, VHD, OVA and ISO', async () => {
    expect(await detectImageFormat(file('a.img', padded(Buffer.from([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3]))))).toBe('qcow2');
    expect(await detectImageFormat(file('b.qcow2', padded(Buffer.from('vhdxfile'))))).toBe('vhdx');
    expect(await detectImageFormat(file('c', padded(Buffer.from('KDMV'))))).toBe('vmdk');
    const tar = Buffer.alloc(1024);
    tar.write('svm.ovf\0', 0, 'latin1');
    tar.write('ustar', 257, 'latin1');
    expect(await detectImageFormat(file('d.bin', padded(tar)))).toBe('ova');
    const iso = Buffer.alloc(0x9000);
    iso.write('CD001', 0x8001, 'latin1');
    expect(await detectImageFormat(file('e', iso))).toBe('iso');
    const vhd = Buffer.alloc(4096);
    vhd.write('conectix', 4096 - 512, 'latin1');
    expect(await detectImageFormat(file('f', vhd))).toBe('vhd');
    expect(await detectImageFormat(file('g', Buffer.from('hello')))).toBe('unknown');
  });

  it('explains every refusal with what the file is and how to get a qcow2', () => {
    expect(refusalFor('vhdx', 'svm.vhdx')).toMatch(/Hyper-V VHDX.*qemu-img convert -O qcow2 svm\.vhdx/);
    expect(refusalFor('ova', 'svm.ova')).toMatch(/OVA package.*VMware vSphere is not supported yet/);
    expect(refusalFor('unknown', 'x')).toMatch(/not a disk image Lightkeeper recognises/);
  });
});
