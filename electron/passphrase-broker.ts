// Carries a passphrase request from the keychain to the window (as a server status, so the status
// page shows the form) and the typed passphrase back. Only one request is open at a time.
import type { PassphraseResult, ServerStatus } from '../main/contract/desktop.ts';
import type { PassphrasePrompt } from './keychain.ts';

export type PassphraseBroker = { ask: PassphrasePrompt; submit(passphrase: unknown): PassphraseResult };

export function createPassphraseBroker(publish: (status: ServerStatus) => void): PassphraseBroker {
  let pending: ((passphrase: string) => void) | undefined;
  return {
    ask({ mode, reason }) {
      return new Promise((resolve) => {
        pending = resolve;
        publish({ state: 'needs-passphrase', mode, reason });
      });
    },
    submit(passphrase) {
      if (typeof passphrase !== 'string' || passphrase.length === 0 || passphrase.length > 1024) return { accepted: false, reason: 'Type a passphrase.' };
      if (!pending) return { accepted: false, reason: 'No passphrase is being asked for.' };
      const resolve = pending;
      pending = undefined;
      resolve(passphrase);
      return { accepted: true };
    },
  };
}
