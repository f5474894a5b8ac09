import { Command } from 'commander';
import { accountsCommand } from './cli/accounts-command.ts';
import { certCommand } from './cli/cert-command.ts';
import { infraCommand } from './cli/infra-command.ts';
import { labCommand } from './cli/lab-command.ts';
import { kscCommand } from './cli/ksc-command.ts';
import { reportCommand } from './cli/report-command.ts';
import { serveCommand } from './cli/serve-command.ts';
import { settingsCommand } from './cli/settings-command.ts';
import { setupCommand } from './cli/setup-command.ts';
import { svmInfoCommand } from './cli/svm-info-command.ts';
import { VERSION } from './version.ts';

export function buildCli(): Command {
  return new Command('lightkeeper')
    .description('Lightkeeper: the Integration Server for light-agent protection of virtual machines')
    .version(VERSION, '-V, --version')
    .showHelpAfterError()
    .addCommand(serveCommand())
    .addCommand(setupCommand())
    .addCommand(accountsCommand())
    .addCommand(certCommand())
    .addCommand(labCommand())
    .addCommand(svmInfoCommand())
    .addCommand(kscCommand())
    .addCommand(infraCommand())
    .addCommand(reportCommand())
    .addCommand(settingsCommand())
    .addCommand(new Command('version').description('print the version').action(() => console.log(VERSION)));
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (e) {
    console.error(`lightkeeper: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
