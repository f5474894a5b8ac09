// Keeps the embedded Integration Server running: starts its host process, restarts it with an
// exponential backoff when it dies, stops retrying where a retry cannot help (the folder is not set
// up, the data key cannot be had) and shuts it down gracefully on quit. No 'electron' import: the
// process is reached through `launch`, so this runs under plain Node in tests.
import type { HostToMain, MainToHost, ServerHostConfig, ServerStatus } from '../main/contract/desktop.ts';

export type HostHandle = {
  send(message: MainToHost): void;
  onMessage(listener: (message: HostToMain) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
};
/** Starts one host process and hands it `config` (and its key port); see utility-host.ts. */
export type LaunchHost = (config: ServerHostConfig) => HostHandle;

export type Backoff = {
  initialMs: number;
  maxMs: number;
  /** Consecutive failed starts or crashes before giving up until the user asks again. */
  maxAttempts: number;
  /** Running this long counts as healthy: the next crash starts the backoff from the beginning. */
  stableMs: number;
};
export const DEFAULT_BACKOFF: Backoff = { initialMs: 1_000, maxMs: 30_000, maxAttempts: 8, stableMs: 60_000 };

export type SupervisorOptions = {
  launch: LaunchHost;
  config: ServerHostConfig;
  onStatus(status: ServerStatus): void;
  backoff?: Backoff;
  /** How long a graceful stop may take (tasks pausing at a step boundary) before the process is killed. */
  stopGraceMs?: number;
};

export type ServerSupervisor = {
  start(): void;
  /** Starts again now, forgetting earlier failures (the user fixed something and pressed Retry). */
  retry(): void;
  /** Stops the server gracefully, then starts it again (File → Restart Integration Server). */
  restart(): Promise<void>;
  stop(): Promise<void>;
  status(): ServerStatus;
};

export function backoffDelay(attempt: number, backoff: Backoff): number {
  return Math.min(backoff.initialMs * 2 ** (attempt - 1), backoff.maxMs);
}

export function createServerSupervisor(options: SupervisorOptions): ServerSupervisor {
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const stopGraceMs = options.stopGraceMs ?? 15_000;
  let current: ServerStatus = { state: 'stopped' };
  let handle: HostHandle | undefined;
  let failures = 0;
  let restartTimer: ReturnType<typeof setTimeout> | undefined;
  let stableTimer: ReturnType<typeof setTimeout> | undefined;
  let stopping: { done: Promise<void>; resolve(): void } | undefined;

  const publish = (status: ServerStatus) => {
    current = status;
    options.onStatus(status);
  };
  const clearTimers = () => {
    clearTimeout(restartTimer);
    clearTimeout(stableTimer);
    restartTimer = stableTimer = undefined;
  };

  function launchOnce(): void {
    publish({ state: 'starting', attempt: failures + 1 });
    let failure: Extract<HostToMain, { type: 'failed' }> | undefined;
    const own = options.launch(options.config);
    handle = own;
    own.onMessage((message) => {
      if (message.type === 'ready') {
        publish({ state: 'running', server: { url: message.url, fingerprint256: message.fingerprint256, dataFolder: message.dataFolder, ...(message.setupToken ? { setupToken: message.setupToken } : {}) } });
        stableTimer = setTimeout(() => (failures = 0), backoff.stableMs);
      } else if (message.type === 'failed') {
        failure = message;
      }
    });
    own.onExit((code) => {
      if (handle !== own) return;
      handle = undefined;
      clearTimers();
      if (stopping) {
        publish({ state: 'stopped' });
        stopping.resolve();
        return;
      }
      // Retrying cannot set up a folder or unlock a key: wait for the user instead of looping.
      if (failure && failure.problem !== 'error') {
        publish({ state: 'failed', problem: failure.problem, reason: failure.reason, dataFolder: options.config.dataDir });
        return;
      }
      failures++;
      const reason = failure?.reason ?? `the server process exited with code ${code ?? 'unknown (killed)'}`;
      if (failures >= backoff.maxAttempts) {
        publish({ state: 'failed', problem: 'crashed', reason: `${reason} (gave up after ${failures} attempts)`, dataFolder: options.config.dataDir });
        return;
      }
      const inMs = backoffDelay(failures, backoff);
      publish({ state: 'restarting', attempt: failures + 1, inMs, reason });
      restartTimer = setTimeout(launchOnce, inMs);
    });
  }

  function stop(): Promise<void> {
    if (stopping) return stopping.done;
    clearTimers();
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    stopping = { done, resolve };
    const own = handle;
    if (!own) {
      publish({ state: 'stopped' });
      resolve();
      return done;
    }
    publish({ state: 'stopping' });
    own.send({ type: 'stop' });
    const killTimer = setTimeout(() => own.kill(), stopGraceMs);
    return done.finally(() => clearTimeout(killTimer));
  }

  return {
    start() {
      if (!handle && !restartTimer && !stopping) launchOnce();
    },
    retry() {
      if (stopping || handle) return;
      clearTimers();
      failures = 0;
      launchOnce();
    },
    async restart() {
      if (stopping) return;
      await stop();
      stopping = undefined;
      failures = 0;
      launchOnce();
    },
    stop,
    status: () => current,
  };
}
