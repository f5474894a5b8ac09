import { userInfo } from 'node:os';
import { Command, Option } from 'commander';
import { DEFAULT_KSC_PORT, normalizeFingerprint } from '../connectors/ksc/index.ts';
import { createAuditLog, type Actor } from '../services/audit-log.ts';
import { createKscSettings, type KscSettings } from '../services/ksc-settings.ts';
import { createLogger } from '../services/logger.ts';
import { dataFolder, isSetUp, NotSetUpError } from '../store/data-folder.ts';
import { fileDataKeyProvider } from '../store/data-key.ts';
import { openStore } from '../store/store.ts';
import { dataOption } from './options.ts';
import { readPassword } from './password-input.ts';

/** The settings service on the data folder; a running server reads the change at its next task. */
async function withKscSettings<T>(dir: string, work: (ksc: KscSettings) => Promise<T>): Promise<T> {
  if (!isSetUp(dir)) throw new NotSetUpError(dataFolder(dir).root);
  const folder = dataFolder(dir);
  const store = await openStore(folder, fileDataKeyProvider(folder.dataKey), { create: false });
  try {
    return await work(createKscSettings(store.kscConnection, createAuditLog(store.auditLog, () => new Date()), createLogger({})));
  } finally {
    store.close();
  }
}

const cliActor = (): Actor => ({ account: `os:${userInfo().username}`, address: 'local', channel: 'cli' });

export function kscCommand(): Command {
  const ksc = new Command('ksc').description('the Administration Server (Kaspersky Security Center) connection that Complete tenants need');

  ksc
    .command('set')
    .description('store the connection; the first run shows the certificate fingerprint, the second (--accept-fingerprint) stores it')
    .addOption(dataOption())
    .requiredOption('--address <host>', 'host name or IP address of the Administration Server')
    .addOption(new Option('--port <port>', 'KSC OpenAPI port').default(DEFAULT_KSC_PORT).argParser(Number))
    .requiredOption('--user <name>', 'internal account on the Administration Server')
    .option('--password-file <file>', 'file holding the account password (else asked at the terminal)')
    .option('--accept-fingerprint <sha256>', 'the certificate fingerprint you checked; stored only if the server presents exactly it')
    .action(async (opts: { data: string; address: string; port: number; user: string; passwordFile?: string; acceptFingerprint?: string }) => {
      await withKscSettings(opts.data, async (settings) => {
        const presented = await settings.probe(opts.address, opts.port);
        if (!opts.acceptFingerprint) {
          console.log(`The Administration Server at ${opts.address}:${opts.port} presents a certificate with SHA-256 fingerprint`);
          console.log(`  ${presented}`);
          console.log('Compare it with the one shown on the Administration Server, then run the same command again with');
          console.log(`  --accept-fingerprint ${presented}`);
          console.log('Nothing was stored.');
          process.exitCode = 2;
          return;
        }
        const accepted = normalizeFingerprint(opts.acceptFingerprint);
        if (accepted !== presented) {
          throw new Error(`The server presents SHA-256 ${presented}, not the fingerprint you accepted (${accepted}). Nothing was stored.`);
        }
        const password = await readPassword(`the Administration Server account '${opts.user}'`, opts.passwordFile, '--password-file');
        await settings.set({ address: opts.address, port: opts.port, user: opts.user, password, pinnedFingerprint: accepted }, cliActor());
        console.log(`Stored the connection to ${opts.address}:${opts.port} as '${opts.user}' (password sealed), pinned to ${accepted}.`);
        console.log(`Check the account's rights with: npx lightkeeper ksc test --data ${JSON.stringify(opts.data)}`);
      });
    });

  ksc
    .command('show')
    .description('print the stored connection (never the password)')
    .addOption(dataOption())
    .action(async (opts: { data: string }) => {
      const view = await withKscSettings(opts.data, (settings) => settings.view());
      if (!view.configured) {
        console.log('No Administration Server connection is configured: Complete tenants fail with KSC_ServiceNotConfigured.');
        console.log(`Set one with: npx lightkeeper ksc set --data ${JSON.stringify(opts.data)} --address HOST --user NAME`);
        return;
      }
      console.log(`Address              ${view.address}:${view.port}`);
      console.log(`Account              ${view.user}`);
      console.log(`Password             ${view.passwordSet ? 'set (sealed)' : 'not set'}`);
      console.log(`Pinned SHA-256       ${view.pinnedFingerprint}`);
    });

  ksc
    .command('test')
    .description('connect with the stored settings and check every right the tenant tasks need')
    .addOption(dataOption())
    .action(async (opts: { data: string }) => {
      const report = await withKscSettings(opts.data, (settings) => settings.test());
      if (!report) throw new Error(`No Administration Server connection is configured: run npx lightkeeper ksc set --data ${JSON.stringify(opts.data)} first.`);
      for (const c of report.checks) console.log(`${c.ok ? 'ok  ' : c.skipped ? 'skip' : 'FAIL'} ${c.name.padEnd(20)} ${c.message}`);
      if (!report.ok) {
        console.log(`Missing: ${report.missing.join(' ')}`);
        process.exitCode = 1;
      } else console.log('The connection is ready for Complete tenants.');
    });

  return ksc;
}
