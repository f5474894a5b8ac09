/**
 * What Naive UI's markup lacks for assistive technology, added in one place for every page and
 * dialog (axe-core, tests/e2e/accessibility.test.ts):
 * - a card's header carries role="heading" twice (the header and its title) and no aria-level,
 *   which a heading must have: the title becomes a level-2 heading, the wrapper (which also holds
 *   the header's buttons) no heading at all;
 * - a modal card is role="dialog" with no name: it is named by its title.
 * Vue sets these static attributes only when it creates the element, so they stay as set here.
 */
let lastId = 0;

export function labelNaiveParts(root: ParentNode): void {
  for (const header of root.querySelectorAll('.n-card-header[role="heading"]')) header.setAttribute('role', 'none');
  for (const title of root.querySelectorAll('.n-card-header__main[role="heading"]:not([aria-level])')) title.setAttribute('aria-level', '2');
  for (const dialog of root.querySelectorAll('.n-card[role="dialog"]:not([aria-label]):not([aria-labelledby])')) {
    const title = dialog.querySelector('.n-card-header__main');
    if (!title?.textContent?.trim()) continue;
    if (!title.id) title.id = `lk-dialog-title-${++lastId}`;
    dialog.setAttribute('aria-labelledby', title.id);
  }
}

/** Keeps labelling what Vue adds to the page (pages, teleported modals), once per batch of changes. */
export function watchNaiveAria(root: HTMLElement = document.body): () => void {
  let queued = false;
  const observer = new MutationObserver(() => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      labelNaiveParts(root);
    });
  });
  observer.observe(root, { childList: true, subtree: true });
  labelNaiveParts(root);
  return () => observer.disconnect();
}
