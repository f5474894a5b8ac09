// The app's own pages under lightkeeper://app: only named files of one folder, each with a CSP.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { appPageResponse } from '../../../electron/app-protocol.ts';

const PAGES = fileURLToPath(new URL('../../../electron/pages/', import.meta.url));

describe('lightkeeper://app pages', () => {
  it('serves the status page with a strict CSP and its type', async () => {
    const response = await appPageResponse('lightkeeper://app/status.html', PAGES);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    expect(await response.text()).toContain('status.js');
  });

  it('serves nothing outside the folder or outside the allowlist of names', async () => {
    for (const url of [
      'lightkeeper://app/../package.json',
      'lightkeeper://app/%2e%2e/%2e%2e/etc/passwd',
      'lightkeeper://app/pages/status.html',
      'lightkeeper://app/status.json',
      'lightkeeper://other/status.html',
      'lightkeeper://app/missing.html',
    ]) {
      expect((await appPageResponse(url, PAGES)).status, url).toBe(404);
    }
  });
});
