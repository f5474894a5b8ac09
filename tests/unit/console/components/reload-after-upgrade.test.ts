import { afterEach, describe, expect, it, vi } from 'vitest';
import { reloadAfterUpgrade } from '../../../../renderer/src/shell/reload-after-upgrade.ts';

afterEach(() => {
  vi.useRealTimers();
  sessionStorage.clear();
});

describe('a console open while the server is upgraded', () => {
  it('reloads once when a page of the old version cannot be loaded, and not again within 30 s', () => {
    vi.useFakeTimers({ now: Date.parse('2026-11-25T12:00:00Z') });
    const reload = vi.fn();
    vi.spyOn(window, 'location', 'get').mockReturnValue({ ...window.location, reload } as Location);
    reloadAfterUpgrade();
    const failed = () => {
      const event = new Event('vite:preloadError', { cancelable: true });
      window.dispatchEvent(event);
      return event.defaultPrevented;
    };
    expect(failed()).toBe(true);
    expect(reload).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10_000);
    expect(failed(), 'left to the page to show the error').toBe(false);
    expect(reload).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(25_000);
    failed();
    expect(reload).toHaveBeenCalledTimes(2);
  });
});
