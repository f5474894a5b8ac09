import { Command, Option } from 'commander';
import { createIntegrationServer, DEFAULT_PORT } from '../server.ts';
import { VERSION } from '../version.ts';
import { isConsoleBuilt } from '../http/web-console.ts';
import { dataOption } from './options.ts';

export function serveCommand(): Command {
  return new Command('serve')
    .description('run the Integration Server headless (HTTPS)')
    .addOption(dataOption())
    .addOption(new Option('--host <address>', 'address to listen on').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'TCP port').default(DEFAULT_PORT).argParser(Number))
    .addOption(new Option('--task-concurrency <n>', 'tasks that run at once').default(4).argParser(Number))
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error']).default('info'))
    .action(async (opts: { data: string; host: string; port: number; taskConcurrency: number; logLevel: string }) => {
      const server = await createIntegrationServer({
        dataDir: opts.data,
        host: opts.host,
        port: opts.port,
        taskConcurrency: opts.taskConcurrency,
        logLevel: opts.logLevel,
      });
      const { url } = await server.start();
      console.log(`Lightkeeper ${VERSION} — Integration Server`);
      console.log(`  URL                 ${url}/`);
      console.log(`  Web Console         ${isConsoleBuilt() ? `${url}/ (sign in as admin or viewer)` : 'not built: run npm run build:console, then reload'}`);
      console.log(`  Certificate SHA-256 ${server.certificate.fingerprint256}`);
      console.log(`  Data folder         ${server.folder.root}`);
      console.log(`  Logs                ${server.folder.logs}`);
      console.log('Press Ctrl-C to stop.');
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) {
          console.error('Stopping immediately.');
          process.exit(130);
        }
        stopping = true;
        console.log(`\n${signal}: finishing requests and pausing tasks at a safe point (Ctrl-C again to force)…`);
        await server.stop();
        console.log('Stopped.');
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
    });
}
