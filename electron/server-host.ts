// The entry of the utilityProcess that runs the Integration Server (design §1): a Node child of the
// main process, so synchronous SQLite work and agent traffic never freeze the window. It imports no
// 'electron': it speaks only through its parent port and the key port it is handed.
import { createIntegrationServer, newSetupToken, NotSetUpError, type IntegrationServer, type ServerConfig } from '../main/server.ts';
import type { HostToMain, KeyReply, KeyRequest, MainToHost, ServerProblem } from '../main/contract/desktop.ts';

type DataKeyProvider = NonNullable<ServerConfig['keys']>;
type Message = { data: unknown; ports: PortLike[] };
/** What Electron's ParentPort and MessagePortMain have in common that this file uses. */
export type PortLike = {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: Message) => void): unknown;
  start?(): void;
  close?(): void;
};

export class DataKeyUnavailableError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'DataKeyUnavailableError';
  }
}

/** The data key, asked of the main process (and so of the OS keychain) over a dedicated port. */
export function portDataKeyProvider(port: PortLike): DataKeyProvider {
  const waiting: Array<(reply: KeyReply) => void> = [];
  port.on('message', ({ data }) => waiting.shift()?.(data as KeyReply));
  port.start?.();
  return {
    description: 'the OS keychain, through the desktop app',
    getKey({ create }) {
      return new Promise((resolve, reject) => {
        waiting.push((reply) => {
          if (reply.type === 'key') resolve(Buffer.from(reply.key));
          else reject(new DataKeyUnavailableError(reply.reason));
        });
        port.postMessage({ type: 'get-key', create } satisfies KeyRequest);
      });
    },
  };
}

function problemOf(error: unknown): ServerProblem {
  if (error instanceof NotSetUpError) return 'not-set-up';
  if (error instanceof DataKeyUnavailableError) return 'data-key';
  return 'error';
}

type HostDeps = {
  create?: (config: ServerConfig) => Promise<IntegrationServer>;
  exit?: (code: number) => void;
};

/** Waits for `start`, runs the server, reports; `stop` shuts it down gracefully (tasks resumable). */
export function hostServer(parent: PortLike, deps: HostDeps = {}): void {
  const create = deps.create ?? createIntegrationServer;
  const exit = deps.exit ?? ((code: number) => process.exit(code));
  const report = (message: HostToMain) => parent.postMessage(message);
  let server: IntegrationServer | undefined;
  let stopping = false;

  parent.on('message', async ({ data, ports }) => {
    const message = data as MainToHost;
    if (message.type === 'start' && !server) {
      const keyPort = ports[0];
      if (!keyPort) return report({ type: 'failed', problem: 'error', reason: 'start came without its key port' });
      try {
        const { config } = message;
        // A new install has no passwords yet: the window's console sets them with this token.
        const setupToken = newSetupToken();
        server = await create({ ...config, keys: portDataKeyProvider(keyPort), logToConsole: false, firstRunToken: setupToken });
        const { url } = await server.start();
        const waiting = !(await server.isSetUp());
        report({ type: 'ready', url, fingerprint256: server.certificate.fingerprint256, dataFolder: server.folder.root, ...(waiting ? { setupToken } : {}) });
      } catch (error) {
        report({ type: 'failed', problem: problemOf(error), reason: error instanceof Error ? error.message : String(error) });
        // A failed start leaves nothing worth keeping; the main process decides whether to retry.
        exit(1);
      }
    } else if (message.type === 'stop' && !stopping) {
      stopping = true;
      await server?.stop();
      report({ type: 'stopped' });
      exit(0);
    }
  });
}

// In the utilityProcess Electron provides process.parentPort; anywhere else (tests) it is absent.
const parentPort = (process as { parentPort?: PortLike }).parentPort;
if (parentPort) hostServer(parentPort);
