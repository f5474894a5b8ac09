import { existsSync } from 'node:fs';
import Fastify, { LogController } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requestLoggers } from './http/request-logger.ts';
import lightkeeperApp from './http/app.ts';
import type { App } from './http/types.ts';
import { createFirstRunSetup } from './services/first-run-setup.ts';

export { newSetupToken } from './services/first-run-setup.ts';
import { createServices, type Services } from './services/integration-services.ts';
import type { AgentTimings } from './services/svm-service.ts';
import { createLogger, type Logger } from './services/logger.ts';
import { ensureCertificate, type ServerCertificate } from './services/tls-certificate.ts';
import { dataFolder, type DataFolder } from './store/data-folder.ts';
import { fileDataKeyProvider, type DataKeyProvider } from './store/data-key.ts';
import { openStore, type Store } from './store/store.ts';
import { VERSION } from './version.ts';
import { DEFAULT_PORT } from './contract/server-defaults.ts';
import { isSetUp, NotSetUpError } from './store/data-folder.ts';

// The CLI reads these without loading the server; they are re-exported for the server's callers.
export { DEFAULT_PORT, isSetUp, NotSetUpError };

export type ServerConfig = {
  dataDir: string;
  host?: string;
  port?: number;
  taskConcurrency?: number;
  logLevel?: string;
  logToConsole?: boolean;
  /** The desktop shell passes a keychain-backed provider; headless uses the key file. */
  keys?: DataKeyProvider;
  /** How long Ctrl-C waits for running task steps to reach a boundary. */
  shutdownGraceMs?: number;
  throttle?: { perPair: number; perAddress: number; windowSeconds: number };
  /** The agent protocol's intervals; the lab scales them with --speed. */
  agentTimings?: Partial<AgentTimings>;
  /** The built Web Console to serve at `/` (default renderer/dist). */
  consoleDir?: string;
  /**
   * On a folder not set up yet, start anyway and let the console set every password once, with
   * this one-time token (printed by `serve --first-run`, `npm start`, the desktop app).
   */
  firstRunToken?: string;
};

export type IntegrationServer = {
  app: App;
  /** False while the server waits for its first-run setup. */
  isSetUp(): Promise<boolean>;
  services: Services;
  folder: DataFolder;
  certificate: ServerCertificate;
  /** Recovers interrupted tasks, then listens; resolves with the URL. */
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
};

/** Fastify's validator: request unions pick their branch by tag first (contract/tagged-union.ts). */
export const VALIDATOR_OPTIONS = { customOptions: { discriminator: true } };

/** The composition root: store, services and the HTTP app, on HTTPS only. */
export async function createIntegrationServer(config: ServerConfig): Promise<IntegrationServer> {
  const folder = dataFolder(config.dataDir);
  const keys = config.keys ?? fileDataKeyProvider(folder.dataKey);
  const firstRun = config.firstRunToken !== undefined;
  if (!config.keys && !firstRun && !isSetUp(config.dataDir)) throw new NotSetUpError(folder.root);
  // A new key only for a new folder: an existing database needs the key it was sealed with.
  const store: Store = await openStore(folder, keys, { create: firstRun && !existsSync(folder.database) });
  const log: Logger = createLogger({ directory: folder.logs, level: config.logLevel ?? 'info', console: config.logToConsole ?? false });
  try {
    const services = createServices(store, log, { taskConcurrency: config.taskConcurrency ?? 4, ...(config.throttle ? { throttle: config.throttle } : {}), ...(config.agentTimings ? { agentTimings: config.agentTimings } : {}) });
    const setUp = await services.accounts.isSetUp();
    if (!setUp && !firstRun) throw new NotSetUpError(folder.root);
    await services.tenants.load();
    await services.svms.load();
    const host = config.host ?? '127.0.0.1';
    const { certificate } = await ensureCertificate(folder, store.sealer, [host]);
    const app = Fastify({
      https: { key: certificate.key, cert: certificate.cert, minVersion: 'TLSv1.2' },
      loggerInstance: requestLoggers(log),
      // Request lines would flood the log at agent scale; failures are logged where they happen.
      logController: new LogController({ disableRequestLogging: true }),
      bodyLimit: 1024 * 1024,
      ajv: VALIDATOR_OPTIONS,
      // Long enough that an absurd id reaches the route and gets its documented not-found code.
      routerOptions: { maxParamLength: 1000 },
      forceCloseConnections: 'idle',
    }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;
    const { fingerprint256, subjectAltNames, validFrom, validTo } = certificate;
    await app.register(lightkeeperApp, {
      services,
      version: VERSION,
      certificate: { fingerprint256, subjectAltNames, validFrom, validTo },
      ...(config.consoleDir ? { consoleDir: config.consoleDir } : {}),
      firstRun: createFirstRunSetup(services.accounts, setUp ? null : (config.firstRunToken ?? null)),
    });
    await app.ready();
    return {
      app,
      services,
      folder,
      isSetUp: () => services.accounts.isSetUp(),
      certificate,
      async start() {
        const recovered = await services.tasks.recover();
        if (recovered.resumed + recovered.rolledBack + recovered.requeued > 0) log.info(recovered, 'tasks recovered after restart');
        services.tasks.start();
        services.svms.start();
        services.vmInventory.start();
        services.protectionReports.start();
        await app.listen({ host, port: config.port ?? DEFAULT_PORT });
        const address = app.server.address();
        const port = typeof address === 'object' && address ? address.port : (config.port ?? DEFAULT_PORT);
        const shownHost = host.includes(':') ? `[${host}]` : host;
        log.info({ host, port }, 'listening');
        return { url: `https://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${port}`, port };
      },
      async stop() {
        await services.tasks.stop(config.shutdownGraceMs ?? 10_000);
        await app.close();
        await services.svms.stop();
        services.vmInventory.stop();
        services.protectionReports.stop();
        store.close();
        log.flush();
      },
    };
  } catch (e) {
    store.close();
    throw e;
  }
}
