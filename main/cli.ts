import { Command } from 'commander';
import { VERSION } from './version.ts';

/**
 * Each command's module, loaded only when that command runs: `serve` loads the whole server,
 * `version` or `svm-info` should not pay for it (loading every module took ~1.3 CPU s).
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./cli/serve-command.ts')).serveCommand(),
  setup: async () => (await import('./cli/setup-command.ts')).setupCommand(),
  accounts: async () => (await import('./cli/accounts-command.ts')).accountsCommand(),
  cert: async () => (await import('./cli/cert-command.ts')).certCommand(),
  lab: async () => (await import('./cli/lab-command.ts')).labCommand(),
  'svm-info': async () => (await import('./cli/svm-info-command.ts')).svmInfoCommand(),
  ksc: async () => (await import('./cli/ksc-command.ts')).kscCommand(),
  infra: async () => (await import('./cli/infra-command.ts')).infraCommand(),
  report: async () => (await import('./cli/report-command.ts')).reportCommand(),
  settings: async () => (await import('./cli/settings-command.ts')).settingsCommand(),
};

/** The CLI with the command named in `argv`, or with every command when none is (help, a typo). */
export async function buildCli(argv: string[] = []): Promise<Command> {
  const cli = new Command('lightkeeper')
    .description('Lightkeeper: the Integration Server for light-agent protection of virtual machines')
    .version(VERSION, '-V, --version')
    .showHelpAfterError();
  const named = argv.slice(2).find((a) => !a.startsWith('-'));
  const wanted = named !== undefined && named in COMMANDS ? [named] : named === 'version' ? [] : Object.keys(COMMANDS);
  for (const name of wanted) cli.addCommand(await COMMANDS[name]!());
  return cli.addCommand(new Command('version').description('print the version').action(() => console.log(VERSION)));
}

export async function main(argv: string[]): Promise<void> {
  try {
    await (await buildCli(argv)).parseAsync(argv);
  } catch (e) {
    console.error(`lightkeeper: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
