import { onBeforeUnmount, onMounted } from 'vue';
import type { Router } from 'vue-router';
import { createShortcutMatcher } from './shortcuts.ts';

const typingInto = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

/** Global single-key shortcuts, ignored while the user types in a field or holds a modifier. */
export function useShortcuts(router: Router, commands: { help(): void; search(): void }): void {
  const matcher = createShortcutMatcher();
  const onKey = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey || typingInto(e.target)) return;
    const hit = matcher.feed(e.key, e.timeStamp);
    if (!hit) return;
    e.preventDefault();
    if ('to' in hit) void router.push(hit.to);
    else commands[hit.command]();
  };
  onMounted(() => window.addEventListener('keydown', onKey));
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey));
}
