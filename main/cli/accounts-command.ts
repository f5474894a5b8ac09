import { Argument, Command, Option } from 'commander';
import { ACCOUNT_NAMES, type AccountName } from '../contract/accounts.ts';
import { changePassword } from '../services/setup.ts';
import { dataOption } from './options.ts';
import { readPassword } from './password-input.ts';

export function accountsCommand(): Command {
  const accounts = new Command('accounts').description('manage the Integration Server accounts');
  accounts
    .command('passwd')
    .description("change an account's password (a running server uses it at once)")
    .addArgument(new Argument('<name>', 'account').choices(ACCOUNT_NAMES))
    .addOption(dataOption())
    .addOption(new Option('--password-file <file>', 'read the new password from a file'))
    .action(async (name: AccountName, opts: { data: string; passwordFile?: string }) => {
      const password = await readPassword(`'${name}'`, opts.passwordFile, '--password-file');
      const { warnings } = await changePassword(opts.data, name, password);
      for (const w of warnings) console.warn(`warning: ${w.message}`);
      console.log(`Password of '${name}' changed.`);
    });
  return accounts;
}
