// The agents' live state on the console's real channel: SSE over TLS on a real port, with SVMs
// reporting and agents asking over HTTPS as the lab's simulators do.
import { request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createParser } from 'eventsource-parser';
import { basic, call } from '../support/https-client.ts';
import { discoverRequest, svmReport, uuid } from '../support/agent-fixtures.ts';
import { inProcessServer } from '../support/in-process-server.ts';

let ctx: Awaited<ReturnType<typeof inProcessServer>>;
let url: string;
let stream: IncomingMessage;
const events: Array<{ event: string; data: Record<string, unknown> }> = [];
const as = (account: 'svm' | 'agent' | 'viewer') => basic(account, ctx.passwords[account]);

/** Waits until an event matching `match` has arrived on the stream. */
async function arrived(event: string, match: (data: Record<string, unknown>) => boolean) {
  await expect.poll(() => events.some((e) => e.event === event && match(e.data)), { timeout: 15_000, interval: 50 }).toBe(true);
}

beforeAll(async () => {
  // One-second report interval: an SVM silent for three seconds is stale.
  ctx = await inProcessServer({ agentTimings: { reportIntervalSeconds: 1, sweepMs: 200, flushMs: 200 } });
  url = (await ctx.server.start()).url;
  stream = await new Promise<IncomingMessage>((resolve, reject) => {
    request(`${url}/api/v1/events`, { rejectUnauthorized: false, headers: { authorization: as('viewer') } }, resolve).on('error', reject).end();
  });
  const parser = createParser({ onEvent: (e) => events.push({ event: e.event ?? 'message', data: JSON.parse(e.data) }) });
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => parser.feed(chunk));
});
afterAll(async () => {
  stream?.destroy();
  await ctx?.server.stop();
});

describe('the agents on the live channel', () => {
  const svmId = uuid(0x5e, 1);
  const vm = discoverRequest(1);
  const report = (connected: boolean) =>
    call(`${url}/api/agents/v1/svm/report`, {
      method: 'POST',
      auth: as('svm'),
      body: JSON.stringify(svmReport(1, { connectedAgents: connected ? 1 : 0, connectionPeriods: connected ? [{ vmBiosId: vm.vmBiosId, start: new Date().toISOString(), end: null }] : [] })),
    });

  it('says an SVM is up when it first reports', async () => {
    expect((await report(false)).status).toBe(200);
    await arrived('svm.state', (d) => d.id === svmId && d.state === 'up');
  });

  it('counts an agent that asked as known, then as connected once its SVM lists it', async () => {
    const answer = await call(`${url}/api/agents/v1/agent/discover`, { method: 'POST', auth: as('agent'), body: JSON.stringify(vm) });
    expect(JSON.parse(answer.body).svms.map((s: { id: string }) => s.id)).toEqual([svmId]);
    await arrived('agents.summary', (d) => d.vmsKnown === 1 && d.vmsConnected === 0 && d.vmsUnprotected === 1);
    expect((await report(true)).status).toBe(200);
    await arrived('agents.summary', (d) => d.svmsFresh === 1 && d.vmsConnected === 1 && d.vmsUnprotected === 0);
  });

  it('says the SVM is stale when it falls silent, and its agent unprotected; back when it reports again', async () => {
    await arrived('svm.state', (d) => d.id === svmId && d.state === 'stale');
    await arrived('agents.summary', (d) => d.svmsStale === 1 && d.vmsUnprotected === 1);
    expect((await report(true)).status).toBe(200);
    await arrived('svm.state', (d) => d.id === svmId && d.state === 'back');
  });
});
