import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { useSessionStore } from '../../../renderer/src/features/connect/session-store.ts';
import { useLiveStore } from '../../../renderer/src/features/live/live-store.ts';
import { useSvmsStore } from '../../../renderer/src/features/svms/svms-store.ts';
import { json, sseBody } from './fake-server.ts';
import { signedIn } from './signed-in.ts';

const until = (check: () => boolean) =>
  new Promise<void>((resolve) => {
    const tick = () => (check() ? resolve() : setTimeout(tick, 5));
    tick();
  });

beforeEach(() => setActivePinia(createPinia()));

describe('the live store', () => {
  it('shows the lost-connection banner only after a real loss, and makes the stores reload once it is back', async () => {
    let connects = 0;
    let svmLoads = 0;
    const summary = { at: 'x', svmsFresh: 2, svmsStale: 1, vmsKnown: 10, vmsConnected: 8, vmsUnprotected: 2, vmsWithSentinel: 0 };
    await signedIn({
      'GET /api/v1/events': () => {
        connects++;
        if (connects === 2) throw new TypeError('fetch failed');
        return sseBody(connects === 1 ? [{ name: 'agents.summary', data: summary }] : []);
      },
      'GET /api/v1/svms': () => (svmLoads++, json({ items: [], total: 0, fresh: 0, stale: 0, agents: summary })),
    });
    const svms = useSvmsStore();
    await svms.load();
    const live = useLiveStore();
    const lostSeen: boolean[] = [];
    live.$subscribe(() => lostSeen.push(live.lost));
    live.start(useSessionStore().http!, { minDelayMs: 1, maxDelayMs: 2 });
    await until(() => connects >= 3 && svmLoads >= 2);
    live.stop();
    expect(svms.agents).toMatchObject({ vmsConnected: 8, vmsUnprotected: 2 });
    expect(lostSeen).toContain(true);
    expect(live.lost).toBe(false);
  });
});
