import { Command, Option } from 'commander';
import { ACCOUNT_NAMES, ACCOUNT_PURPOSE, type AccountName } from '../contract/accounts.ts';
import { AlreadySetUpError, setUpDataFolder } from '../services/setup.ts';
import { isSetUp } from '../store/data-folder.ts';
import { dataOption } from './options.ts';
import { readPassword } from './password-input.ts';

export function setupCommand(): Command {
  const cmd = new Command('setup')
    .description('first-run setup: a password for every account, the data key and the TLS certificate')
    .addOption(dataOption())
    .option('--force', 'set every password again on a folder that is already set up', false);
  for (const name of ACCOUNT_NAMES) {
    cmd.addOption(new Option(`--${name}-password-file <file>`, `file holding the password of '${name}' (${ACCOUNT_PURPOSE[name]})`));
  }
  return cmd.action(async (opts: Record<string, string | boolean | undefined> & { data: string; force: boolean }) => {
    if (isSetUp(opts.data) && !opts.force) throw new AlreadySetUpError(opts.data);
    const passwords = {} as Record<AccountName, string>;
    for (const name of ACCOUNT_NAMES) {
      const key = `${name}PasswordFile`;
      passwords[name] = await readPassword(`'${name}' (${ACCOUNT_PURPOSE[name]})`, opts[key] as string | undefined, `--${name}-password-file`);
    }
    const { warnings, certificate } = await setUpDataFolder(opts.data, passwords, { force: opts.force });
    for (const w of warnings) console.warn(`warning: ${w.account}: ${w.finding.message}`);
    console.log(`Set up ${opts.data}: ${ACCOUNT_NAMES.length} accounts.`);
    console.log(`Certificate SHA-256 ${certificate.fingerprint256}`);
    console.log(`Next: npx lightkeeper serve --data ${JSON.stringify(opts.data)}`);
  });
}
