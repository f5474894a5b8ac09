/** The format of an image file on this machine, by `imageFormatOf` on its first and last bytes. */
import { open } from 'node:fs/promises';
import { IMAGE_HEAD_BYTES, imageFormatOf, VHD_FOOTER_BYTES, VHD_FOOTER_FROM_END, type ImageFormat } from '../contract/image-format.ts';

export async function detectImageFormat(path: string): Promise<ImageFormat> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(IMAGE_HEAD_BYTES);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const { size } = await fh.stat();
    let footer: Buffer | null = null;
    if (size >= VHD_FOOTER_FROM_END) {
      footer = Buffer.alloc(VHD_FOOTER_BYTES);
      await fh.read(footer, 0, VHD_FOOTER_BYTES, size - VHD_FOOTER_FROM_END);
    }
    return imageFormatOf(head.subarray(0, bytesRead), footer);
  } finally {
    await fh.close();
  }
}
