// Links that leave the app open in the system browser, and only after this check (Electron
// checklist #15): shell.openExternal with an arbitrary string can launch any registered handler
// (file:, smb:, custom schemes), so only plain https addresses pass.
import type { Shell } from 'electron';

const MAX_URL_LENGTH = 2048;

export function isSafeExternalUrl(candidate: unknown): candidate is string {
  if (typeof candidate !== 'string' || candidate.length > MAX_URL_LENGTH) return false;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return false;
  }
  // Credentials in a link are a phishing device (https://vendor.com@evil.example/).
  return url.protocol === 'https:' && url.hostname !== '' && url.username === '' && url.password === '';
}

export async function openExternalSafely(shell: Pick<Shell, 'openExternal'>, candidate: unknown): Promise<boolean> {
  if (!isSafeExternalUrl(candidate)) return false;
  // electronegativity flags every non-literal argument; this one has just passed isSafeExternalUrl.
  await shell.openExternal(candidate, { activate: true }); // eng-disable OPEN_EXTERNAL_JS_CHECK
  return true;
}
