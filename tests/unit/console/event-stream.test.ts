import { describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../../main/contract/events.ts';
import { openEventStream, type LiveState } from '../../../renderer/src/api/event-stream.ts';
import { createHttpClient } from '../../../renderer/src/api/http-client.ts';
import { fakeFetch, json, sseBody } from './fake-server.ts';

const credentials = { account: 'admin', password: 'pw' };
const task = (progress: number) => ({ id: 't1', type: 'SelfTest', state: 'Running', stage: 's', progress }) as const;

function until(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const tick = () => (check() ? resolve() : setTimeout(tick, 5));
    tick();
  });
}

describe('the live event stream', () => {
  it('delivers typed events, reconnects when the stream ends, and passes the server being away', async () => {
    let connects = 0;
    const server = fakeFetch({
      'GET /api/v1/events': (req) => {
        connects++;
        expect(req.headers.get('authorization')).toMatch(/^Basic /);
        if (connects === 2) throw new TypeError('fetch failed');
        return sseBody([{ name: 'task.changed', data: task(connects * 10) }, { name: 'from.a.newer.server', data: {} }]);
      },
    });
    const events: ServerEvent[] = [];
    const states: LiveState[] = [];
    const stream = openEventStream(createHttpClient({ baseUrl: '', credentials, fetch: server.fetch }), {
      onEvent: (e) => events.push(e),
      onState: (s) => states.push(s),
      minDelayMs: 1,
      maxDelayMs: 2,
    });
    await until(() => events.filter((e) => e.name === 'task.changed').length >= 2);
    stream.close();
    // Connection 1 sent 10, connection 2 failed, connection 3 sent 30 (a 4th may already have begun).
    expect(events.filter((e) => e.name === 'task.changed').map((e) => (e.data as { progress: number }).progress).slice(0, 2)).toEqual([10, 30]);
    expect(states.slice(0, 4)).toEqual(['connecting', 'open', 'reconnecting', 'reconnecting']);
    expect(states).toContain('open');
    expect(states.at(-1)).toBe('closed');
  });

  it('stops, saying why, when the server refuses the credentials', async () => {
    const server = fakeFetch({ 'GET /api/v1/events': () => json({ statusCode: 401, code: 'UNAUTHENTICATED', error: 'x', message: 'x' }, 401) });
    const states: Array<[LiveState, string | undefined]> = [];
    openEventStream(createHttpClient({ baseUrl: '', credentials, fetch: server.fetch }), { onEvent: () => {}, onState: (s, d) => states.push([s, d]), minDelayMs: 1 });
    await until(() => states.some(([s]) => s === 'closed'));
    expect(server.sent).toHaveLength(1);
    expect(states.at(-1)![1]).toMatch(/password is wrong/);
  });
});
