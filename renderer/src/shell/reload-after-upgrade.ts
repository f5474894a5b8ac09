const KEY = 'lightkeeper.reloadedForNewVersion';
const AT_MOST_EVERY_MS = 30_000;

/**
 * Pages are loaded when first opened. After the server is upgraded, an open console still asks for
 * the old version's files, which are gone: reload once to get the new version instead of showing a
 * page that never comes. At most every 30 s, so a file that is really missing cannot loop.
 */
export function reloadAfterUpgrade(): void {
  window.addEventListener('vite:preloadError', (event) => {
    const last = Number(sessionStorage.getItem(KEY) ?? 0);
    if (Date.now() - last < AT_MOST_EVERY_MS) return;
    event.preventDefault();
    sessionStorage.setItem(KEY, String(Date.now()));
    window.location.reload();
  });
}
