import { Command, Option } from 'commander';
import { createIntegrationServer, DEFAULT_PORT } from '../server.ts';
import { newSetupToken } from '../services/first-run-setup.ts';
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
    .addOption(new Option('--first-run', 'on a data folder not set up yet, start anyway and take the account passwords from the Web Console, with a one-time token printed here'))
    .action(async (opts: { data: string; host: string; port: number; taskConcurrency: number; logLevel: string; firstRun?: boolean }) => {
      const token = opts.firstRun ? newSetupToken() : undefined;
      const server = await createIntegrationServer({
        dataDir: opts.data,
        host: opts.host,
        port: opts.port,
        taskConcurrency: opts.taskConcurrency,
        logLevel: opts.logLevel,
        ...(token ? { firstRunToken: token } : {}),
      });
      const { url } = await server.start();
      const waitingForSetup = !(await server.isSetUp());
      console.log(`Lightkeeper ${VERSION} — Integration Server`);
      console.log(`  URL                 ${url}/`);
      console.log(`  Web Console         ${isConsoleBuilt() ? `${url}/ (sign in as admin or viewer)` : 'not built: run npm run build:console, then reload'}`);
      console.log(`  Certificate SHA-256 ${server.certificate.fingerprint256}`);
      console.log(`  Data folder         ${server.folder.root}`);
      console.log(`  Logs                ${server.folder.logs}`);
      if (waitingForSetup) {
        // The token goes to this terminal only, never to the log.
        console.log(`  First-run setup     open ${url}/ and enter the setup token ${token} with a password for each account`);
        console.log(`                      (or stop here and run: npx lightkeeper setup --data ${JSON.stringify(server.folder.root)})`);
      }
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
