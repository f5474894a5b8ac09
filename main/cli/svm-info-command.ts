import { Command, Option } from 'commander';
import type { SvmInfo } from '../contract/svms.ts';
import { DEFAULT_PORT } from '../contract/server-defaults.ts';
import { svmInfoText } from '../services/svm-info-text.ts';
import { dataOption } from './options.ts';
import { getFromServer, type ServerClientOptions } from './server-client.ts';

export function svmInfoCommand(): Command {
  return new Command('svm-info')
    .description("for a VM (BIOS UUID or name): the SVM it should use, and why every other SVM is not offered")
    .requiredOption('--vm <vm>', "the VM's BIOS UUID or name")
    .addOption(new Option('--server <url>', 'the Integration Server').default(`https://127.0.0.1:${DEFAULT_PORT}`))
    .addOption(new Option('--user <account>', 'account to sign in with').choices(['admin', 'viewer']).default('admin'))
    .option('--password-file <file>', "file holding the account's password (else LIGHTKEEPER_PASSWORD, else asked)")
    .option('--fingerprint <sha256>', "the server certificate's SHA-256 fingerprint (default: the one in --data)")
    .addOption(dataOption())
    .option('--json', 'print the JSON answer instead of text', false)
    .action(async (opts: ServerClientOptions & { vm: string; json: boolean }) => {
      const r = await getFromServer(opts, `/api/v1/diagnostics/svm-info?vm=${encodeURIComponent(opts.vm)}`);
      const body = JSON.parse(r.body) as SvmInfo | { message: string };
      if (r.status !== 200) {
        console.error((body as { message: string }).message ?? `HTTP ${r.status}`);
        // 2: the server answered, but not for one VM (none asked under that name, or several did).
        process.exitCode = r.status === 404 || r.status === 409 ? 2 : 1;
        return;
      }
      process.stdout.write(opts.json ? JSON.stringify(body, null, 2) + '\n' : svmInfoText(body as SvmInfo, { width: process.stdout.columns ?? 120 }));
    });
}
