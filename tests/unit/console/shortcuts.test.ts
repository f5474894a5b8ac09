import { describe, expect, it } from 'vitest';
import { createShortcutMatcher, SHORTCUTS } from '../../../renderer/src/shell/shortcuts.ts';

describe('keyboard shortcuts', () => {
  it('combines "g" and a letter typed soon after into a page change', () => {
    const m = createShortcutMatcher(SHORTCUTS, 1000);
    expect(m.feed('g', 0)).toBeUndefined();
    expect(m.feed('t', 300)).toMatchObject({ to: '/tasks' });
  });

  it('does not combine keys typed too far apart, nor stray keys', () => {
    const m = createShortcutMatcher(SHORTCUTS, 1000);
    expect(m.feed('g', 0)).toBeUndefined();
    expect(m.feed('t', 2000)).toBeUndefined();
    expect(m.feed('x', 2100)).toBeUndefined();
    expect(m.feed('g', 2200)).toBeUndefined();
    expect(m.feed('g', 2300)).toBeUndefined();
    expect(m.feed('s', 2400)).toMatchObject({ to: '/settings' });
  });

  it('answers single-key commands at once', () => {
    const m = createShortcutMatcher();
    expect(m.feed('?', 0)).toMatchObject({ command: 'help' });
    expect(m.feed('/', 10)).toMatchObject({ command: 'search' });
  });

  it('declares every shortcut once', () => {
    const keys = SHORTCUTS.map((s) => s.keys.join(' '));
    expect(new Set(keys).size).toBe(keys.length);
  });
});
