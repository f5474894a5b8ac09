// The server supervisor with a fake host process: backoff, giving up, waiting for the user where a
// retry cannot help, and the graceful stop with a kill as the last resort.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostToMain, MainToHost, ServerStatus } from '../../../main/contract/desktop.ts';
import { backoffDelay, createServerSupervisor, DEFAULT_BACKOFF, type HostHandle } from '../../../electron/server-supervisor.ts';

type FakeHost = HostHandle & { sent: MainToHost[]; say(m: HostToMain): void; exit(code: number | null): void; kill: ReturnType<typeof vi.fn<() => void>> };

function fakeHosts() {
  const hosts: FakeHost[] = [];
  const launch = vi.fn(() => {
    let onMessage: (m: HostToMain) => void = () => {};
    let onExit: (code: number | null) => void = () => {};
    const host: FakeHost = {
      sent: [],
      send: (m) => void host.sent.push(m),
      onMessage: (l) => void (onMessage = l),
      onExit: (l) => void (onExit = l),
      kill: vi.fn<() => void>(),
      say: (m) => onMessage(m),
      exit: (code) => onExit(code),
    };
    hosts.push(host);
    return host;
  });
  return { hosts, launch };
}

const config = { dataDir: '/data', host: '127.0.0.1', consoleDir: '/console', logLevel: 'info' };
const ready: HostToMain = { type: 'ready', url: 'https://127.0.0.1:7271', fingerprint256: 'AA', dataFolder: '/data' };

function supervise(backoff = { initialMs: 1000, maxMs: 8000, maxAttempts: 5, stableMs: 60_000 }) {
  const { hosts, launch } = fakeHosts();
  const statuses: ServerStatus[] = [];
  const supervisor = createServerSupervisor({ launch, config, onStatus: (s) => statuses.push(s), backoff, stopGraceMs: 5000 });
  return { supervisor, hosts, launch, statuses, last: () => statuses.at(-1) };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('server supervisor', () => {
  it('doubles the delay up to the maximum', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, DEFAULT_BACKOFF))).toEqual([1000, 2000, 4000, 8000, 16000, 30000]);
  });

  it('reports starting, then running with the address and fingerprint', () => {
    const { supervisor, hosts, last } = supervise();
    supervisor.start();
    expect(last()).toEqual({ state: 'starting', attempt: 1 });
    hosts[0]!.say(ready);
    expect(last()).toEqual({ state: 'running', server: { url: 'https://127.0.0.1:7271', fingerprint256: 'AA', dataFolder: '/data' } });
  });

  it('restarts after a crash with a growing delay, and gives up after maxAttempts', () => {
    const { supervisor, hosts, launch, statuses, last } = supervise();
    supervisor.start();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      hosts.at(-1)!.exit(1);
      const s = last();
      if (s?.state !== 'restarting') throw new Error(`expected restarting, got ${JSON.stringify(s)}`);
      delays.push(s.inMs);
      vi.advanceTimersByTime(s.inMs);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000]);
    expect(launch).toHaveBeenCalledTimes(5);
    hosts.at(-1)!.exit(1);
    expect(last()).toMatchObject({ state: 'failed', problem: 'crashed' });
    vi.advanceTimersByTime(60_000);
    expect(launch).toHaveBeenCalledTimes(5);
    expect(statuses.some((s) => s.state === 'restarting' && /exited with code 1/.test(s.reason))).toBe(true);
  });

  it('starts the backoff afresh once the server has run for stableMs', () => {
    const { supervisor, hosts, last } = supervise();
    supervisor.start();
    hosts[0]!.exit(1);
    vi.advanceTimersByTime(1000);
    hosts[1]!.say(ready);
    vi.advanceTimersByTime(60_000);
    hosts[1]!.exit(1);
    expect(last()).toMatchObject({ state: 'restarting', inMs: 1000 });
  });

  it('does not loop on a folder that is not set up or a key it cannot have; Retry starts again', () => {
    const { supervisor, hosts, launch, last } = supervise();
    supervisor.start();
    hosts[0]!.say({ type: 'failed', problem: 'not-set-up', reason: 'not set up' });
    hosts[0]!.exit(1);
    expect(last()).toEqual({ state: 'failed', problem: 'not-set-up', reason: 'not set up', dataFolder: '/data' });
    vi.advanceTimersByTime(120_000);
    expect(launch).toHaveBeenCalledTimes(1);
    supervisor.retry();
    expect(launch).toHaveBeenCalledTimes(2);
    hosts[1]!.say({ type: 'failed', problem: 'data-key', reason: 'keychain locked' });
    hosts[1]!.exit(1);
    expect(last()).toMatchObject({ state: 'failed', problem: 'data-key' });
  });

  it('stops gracefully: sends stop and resolves when the process exits', async () => {
    const { supervisor, hosts, last } = supervise();
    supervisor.start();
    hosts[0]!.say(ready);
    const stopped = supervisor.stop();
    expect(last()).toEqual({ state: 'stopping' });
    expect(hosts[0]!.sent).toEqual([{ type: 'stop' }]);
    hosts[0]!.exit(0);
    await stopped;
    expect(last()).toEqual({ state: 'stopped' });
    expect(hosts[0]!.kill).not.toHaveBeenCalled();
  });

  it('kills a server that does not stop within the grace period, and never restarts it', async () => {
    const { supervisor, hosts, launch } = supervise();
    supervisor.start();
    const stopped = supervisor.stop();
    vi.advanceTimersByTime(5000);
    expect(hosts[0]!.kill).toHaveBeenCalled();
    hosts[0]!.exit(null);
    await stopped;
    vi.advanceTimersByTime(60_000);
    expect(launch).toHaveBeenCalledTimes(1);
  });

  it('cancels a pending restart when stopped', async () => {
    const { supervisor, hosts, launch, last } = supervise();
    supervisor.start();
    hosts[0]!.exit(1);
    await supervisor.stop();
    vi.advanceTimersByTime(60_000);
    expect(launch).toHaveBeenCalledTimes(1);
    expect(last()).toEqual({ state: 'stopped' });
  });

  it('restart stops the running server, then starts a new one', async () => {
    const { supervisor, hosts, launch } = supervise();
    supervisor.start();
    hosts[0]!.say(ready);
    const restarted = supervisor.restart();
    hosts[0]!.exit(0);
    await restarted;
    expect(launch).toHaveBeenCalledTimes(2);
  });
});
