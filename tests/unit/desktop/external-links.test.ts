// Only plain https links leave the app, to the system browser.
import { describe, expect, it, vi } from 'vitest';
import { isSafeExternalUrl, openExternalSafely } from '../../../electron/external-links.ts';

describe('external links', () => {
  it('accepts https links', () => {
    expect(isSafeExternalUrl('https://support.example.com/kb/123?q=1#a')).toBe(true);
  });
  it.each([
    ['http://example.com/', 'plain http'],
    ['file:///etc/passwd', 'a file'],
    ['smb://server/share', 'a network share'],
    ['javascript:alert(1)', 'script'],
    ['ms-settings:', 'an OS handler'],
    ['https://vendor.com@evil.example/', 'credentials in the URL'],
    ['not a url', 'garbage'],
    [`https://example.com/${'a'.repeat(3000)}`, 'an overlong URL'],
    [42, 'a non-string'],
  ] as Array<[unknown, string]>)('refuses %s (%s)', (url) => {
    expect(isSafeExternalUrl(url)).toBe(false);
  });
  it('opens only what passes, and says whether it did', async () => {
    const shell = { openExternal: vi.fn(async () => undefined) };
    expect(await openExternalSafely(shell, 'file:///etc/passwd')).toBe(false);
    expect(await openExternalSafely(shell, 'https://example.com/')).toBe(true);
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
  });
});
