import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageFormatOf, refusalFor } from '../../main/contract/image-format.ts';
import { detectImageFormat } from '../../main/services/image-format.ts';

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

  it('reads the same from the bytes a browser gives of a chosen file: a short head, no footer, any case of .ovf', () => {
    const bytes = (text: string, at = 0, size = at + text.length) => {
      const b = new Uint8Array(size);
      for (let i = 0; i < text.length; i++) b[at + i] = text.charCodeAt(i);
      return b;
    };
    expect(imageFormatOf(new Uint8Array([0x51, 0x46, 0x49, 0xfb]), null)).toBe('qcow2');
    const ova = bytes('SVM-6.2.OVF\0', 0, 512);
    ova.set(bytes('ustar'), 257);
    expect(imageFormatOf(ova, null)).toBe('ova');
    const tar = bytes('readme.txt\0', 0, 512);
    tar.set(bytes('ustar'), 257);
    expect(imageFormatOf(tar, null)).toBe('unknown');
    expect(imageFormatOf(new Uint8Array(600), bytes('conectix'))).toBe('vhd');
    expect(imageFormatOf(new Uint8Array(0), null)).toBe('unknown');
  });
});
