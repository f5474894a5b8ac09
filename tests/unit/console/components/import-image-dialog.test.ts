import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { flushPromises } from '@vue/test-utils';
import ImportImageDialog from '../../../../renderer/src/features/infrastructures/ImportImageDialog.vue';
import { signedIn } from '../signed-in.ts';
import { click, el, mountInConsole, pageText } from './mount-console.ts';

let wrapper: { unmount(): void } | undefined;

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => {
  vi.restoreAllMocks();
  wrapper?.unmount();
  document.body.innerHTML = '';
});

/** A file as a browser hands it over, made of these bytes at these offsets. */
function fileOf(name: string, size: number, parts: Array<[number, number[] | string]>): File {
  const bytes = new Uint8Array(size);
  for (const [at, part] of parts) bytes.set(typeof part === 'string' ? Array.from(part, (c) => c.charCodeAt(0)) : part, at);
  return new File([bytes], name);
}

async function choose(file: File): Promise<void> {
  const input = el<HTMLInputElement>('input[data-image-file]');
  Object.defineProperty(input, 'files', { value: [file], configurable: true });
  input.dispatchEvent(new Event('change', { bubbles: true }));
  await flushPromises();
}

/** The dialog reads the file's bytes asynchronously, as a browser does. */
const shows = (text: string) => vi.waitFor(() => expect(pageText()).toContain(text));

describe('ImportImageDialog', () => {
  it('says an OVA is an OVA as soon as it is chosen, and sends nothing', async () => {
    const server = await signedIn({});
    // Uploads go through XMLHttpRequest (for their progress), not fetch.
    const uploads: string[] = [];
    vi.spyOn(XMLHttpRequest.prototype, 'open').mockImplementation(function (method: string, url: string | URL) {
      uploads.push(`${method} ${String(url)}`);
    });
    wrapper = mountInConsole(ImportImageDialog, { show: true });
    await flushPromises();
    await choose(fileOf('ksv-svm-6.2.ova', 4096, [[0, 'ksv-svm-6.2.ovf\0'], [257, 'ustar']]));
    await shows('ksv-svm-6.2.ova is an OVA package');
    await click('Import image');
    expect(pageText()).toContain('is an OVA package');
    expect(document.body.querySelector('[data-import-progress]')).toBeNull();
    expect(uploads).toEqual([]);
    expect(server.sent.filter((s) => s.method === 'POST')).toEqual([]);
  });

  it('finds a fixed VHD by the footer at its end, and lets a qcow2 chosen after it through', async () => {
    await signedIn({});
    wrapper = mountInConsole(ImportImageDialog, { show: true });
    await flushPromises();
    await choose(fileOf('disk.img', 8192, [[8192 - 512, 'conectix']]));
    await shows('disk.img is a Hyper-V VHD disk');
    await choose(fileOf('svm.qcow2', 1024, [[0, [0x51, 0x46, 0x49, 0xfb]]]));
    await vi.waitFor(() => expect(pageText()).not.toContain('Hyper-V'));
    expect(el('[data-import-image]').querySelector('[data-import-problem]')).toBeNull();
  });
});
