/** The console's keyboard shortcuts, declared once: the key handler and the help dialog read this list. */
export type Shortcut = { keys: readonly string[]; description: string } & ({ to: string } | { command: 'help' | 'search' });

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ['g', 'd'], description: 'Go to the dashboard', to: '/' },
  { keys: ['g', 'n'], description: 'Go to tenants', to: '/tenants' },
  { keys: ['g', 'v'], description: 'Go to SVMs', to: '/svms' },
  { keys: ['g', 'w'], description: 'Go to the SVM Management Wizard (deploy, remove, reconfigure SVMs)', to: '/svm-wizard' },
  { keys: ['g', 'h'], description: 'Go to infrastructures (hypervisor connections, SVM images)', to: '/infrastructures' },
  { keys: ['g', 'i'], description: 'Go to diagnostics (which SVM a VM should use)', to: '/diagnostics' },
  { keys: ['g', 't'], description: 'Go to tasks', to: '/tasks' },
  { keys: ['g', 'r'], description: 'Go to reports (protected time)', to: '/reports' },
  { keys: ['g', 'a'], description: 'Go to the audit log', to: '/audit' },
  { keys: ['g', 's'], description: 'Go to settings', to: '/settings' },
  { keys: ['/'], description: 'Search the current list', command: 'search' },
  { keys: ['?'], description: 'Show these shortcuts', command: 'help' },
];

/**
 * Two-key sequences in the style of GitHub and Gmail ("g t"): keys typed more than `windowMs`
 * apart do not combine. Pure, so the sequence rules are tested without a DOM.
 */
export function createShortcutMatcher(shortcuts: readonly Shortcut[] = SHORTCUTS, windowMs = 1200) {
  let pending: string[] = [];
  let lastAt = Number.NEGATIVE_INFINITY;
  return {
    feed(key: string, now: number): Shortcut | undefined {
      if (now - lastAt > windowMs) pending = [];
      lastAt = now;
      pending.push(key);
      const exact = shortcuts.find((s) => s.keys.length === pending.length && s.keys.every((k, i) => k === pending[i]));
      if (exact) {
        pending = [];
        return exact;
      }
      const prefix = shortcuts.some((s) => s.keys.length > pending.length && pending.every((k, i) => s.keys[i] === k));
      if (!prefix) pending = shortcuts.some((s) => s.keys[0] === key && s.keys.length > 1) ? [key] : [];
      return undefined;
    },
  };
}
