/**
 * `lightkeeper infra add|list|test|remove|images`: hypervisor connections and SVM images on the
 * data folder. `add` shows the host key / certificate on the first run and stores the connection
 * only when the run is repeated with `--accept-fingerprint` equal to what the host presents.
 */
import { readFileSync } from 'node:fs';
import { Argument, Command, Option } from 'commander';
import { PLATFORM_IDS, type Platform } from '../contract/platforms.ts';
import { createInfrastructureService, type InfrastructureService } from '../services/infrastructure-service.ts';
import { LifecycleError } from '../services/lifecycle-error.ts';
import { createSvmImages, type SvmImages } from '../services/svm-images.ts';
import { dataFolder, isSetUp, NotSetUpError } from '../store/data-folder.ts';
import { fileDataKeyProvider } from '../store/data-key.ts';
import { openStore } from '../store/store.ts';
import { dataOption } from './options.ts';
import { readPassword } from './password-input.ts';

async function withLifecycle<T>(dir: string, work: (s: { infra: InfrastructureService; images: SvmImages }) => Promise<T>): Promise<T> {
  if (!isSetUp(dir)) throw new NotSetUpError(dataFolder(dir).root);
  const folder = dataFolder(dir);
  const store = await openStore(folder, fileDataKeyProvider(folder.dataKey), { create: false });
  const now = () => new Date();
  try {
    return await work({
      infra: createInfrastructureService({ store: store.infrastructure, now }),
      images: createSvmImages({ store: store.infrastructure, imagesDir: `${folder.root}/images`, now }),
    });
  } finally {
    store.close();
  }
}

/** Option values `key=value`, numbers and booleans recognised. */
function parseOptions(pairs: string[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--option takes KEY=VALUE, not "${pair}".`);
    const value = pair.slice(eq + 1);
    out[pair.slice(0, eq)] = value === 'true' ? true : value === 'false' ? false : /^\d+$/.test(value) ? Number(value) : value;
  }
  return out;
}

type AddOptions = {
  data: string; name: string; platform: Platform; address: string; port?: number; account: string;
  passwordFile?: string; keyFile?: string; tokenFile?: string; askPassword?: boolean; option: string[]; acceptFingerprint?: string;
};

export function infraCommand(): Command {
  const infra = new Command('infra').description('hypervisor connections (virtual infrastructures) and SVM images');

  infra
    .command('add')
    .description('add a connection: the first run shows the host key or certificate, a second run with --accept-fingerprint stores it')
    .addOption(dataOption())
    .requiredOption('--name <name>', 'a name for the connection')
    .addOption(new Option('--platform <platform>', 'the platform').choices(PLATFORM_IDS).makeOptionMandatory())
    .requiredOption('--address <host>', 'host name or address')
    .addOption(new Option('--port <port>', 'port (default 22 for SSH, 8006 for Proxmox VE)').argParser(Number))
    .requiredOption('--account <name>', 'account (Proxmox: root@pam, or USER@REALM!TOKENID with --token-file)')
    .option('--password-file <file>', 'file holding the password')
    .option('--ask-password', 'ask the password at the terminal')
    .option('--key-file <file>', 'SSH private key file')
    .option('--token-file <file>', 'file holding the API token secret')
    .addOption(new Option('--option <key=value...>', 'platform option, e.g. imageDir=/var/lib/libvirt/images, libvirtUri=qemu:///system, node=pve').default([]))
    .option('--accept-fingerprint <fingerprint>', 'the fingerprint you checked; stored only if the host presents exactly it')
    .action(async (opts: AddOptions) => {
      const secret = (file?: string) => (file ? readFileSync(file, 'utf8').replace(/\r?\n$/, '') : undefined);
      const password = opts.askPassword ? await readPassword(`'${opts.account}' on ${opts.address}`, undefined, '--password-file') : secret(opts.passwordFile);
      const privateKey = opts.keyFile ? readFileSync(opts.keyFile, 'utf8') : undefined;
      const apiToken = secret(opts.tokenFile);
      await withLifecycle(opts.data, async ({ infra: service }) => {
        try {
          const added = await service.add({
            name: opts.name,
            platform: opts.platform,
            address: opts.address,
            ...(opts.port ? { port: opts.port } : {}),
            account: opts.account,
            ...(password !== undefined ? { password } : {}),
            ...(privateKey !== undefined ? { privateKey } : {}),
            ...(apiToken !== undefined ? { apiToken } : {}),
            options: parseOptions(opts.option),
            ...(opts.acceptFingerprint ? { fingerprint: opts.acceptFingerprint } : {}),
          });
          console.log(`Stored "${added.name}" (${added.platform} at ${added.address}:${added.port}, ${added.credentialKind} sealed), pinned to ${added.fingerprint}.`);
          console.log(`Check it with: npx lightkeeper infra test ${added.id} --data ${JSON.stringify(opts.data)}`);
        } catch (e) {
          if (e instanceof LifecycleError && e.code === 'LK_FingerprintNotConfirmed') {
            const presented = e.details.presented as { fingerprint: string; detail: string };
            console.log(`${opts.address} presents: ${presented.detail}`);
            console.log(`  ${presented.fingerprint}`);
            console.log('Compare it with the host\'s own console, then run the same command again with');
            console.log(`  --accept-fingerprint ${presented.fingerprint}`);
            console.log('Nothing was stored.');
            process.exitCode = 2;
            return;
          }
          throw e;
        }
      });
    });

  infra
    .command('list')
    .description('list the connections (never a secret)')
    .addOption(dataOption())
    .action(async (opts: { data: string }) => {
      const items = await withLifecycle(opts.data, ({ infra: s }) => s.list());
      if (items.length === 0) console.log(`No connections yet: add one with npx lightkeeper infra add --data ${JSON.stringify(opts.data)} …`);
      for (const i of items) console.log(`${i.id}  ${i.name.padEnd(20)} ${i.platform.padEnd(12)} ${i.account}@${i.address}:${i.port}  ${i.credentialKind}  ${i.fingerprint}`);
    });

  infra
    .command('test')
    .description('check reachability, the pinned identity, credentials and rights; list exactly what is missing')
    .addOption(dataOption())
    .addArgument(new Argument('<id>', 'connection id (see infra list)'))
    .action(async (id: string, opts: { data: string }) => {
      const report = await withLifecycle(opts.data, ({ infra: s }) => s.test(id));
      for (const c of report.checks) console.log(`${c.ok ? 'ok  ' : c.warning ? 'warn' : 'FAIL'} ${c.id.padEnd(16)} ${c.detail}`);
      const missing = report.checks.filter((c) => !c.ok && !c.warning);
      if (missing.length) {
        console.log(`Missing: ${missing.map((c) => c.id).join(', ')}`);
        process.exitCode = 1;
      } else console.log('The connection is ready for SVM deployment.');
    });

  infra
    .command('remove')
    .description('remove a connection (refused while SVMs deployed by Lightkeeper run there)')
    .addOption(dataOption())
    .addArgument(new Argument('<id>', 'connection id'))
    .action(async (id: string, opts: { data: string }) => {
      await withLifecycle(opts.data, ({ infra: s }) => s.remove(id));
      console.log(`Removed connection ${id}.`);
    });

  const images = infra.command('images').description('SVM images kept in the data folder');
  images
    .command('import')
    .description('import a qcow2 SVM image (SHA-256 checked against --sha256, FILE.sha256 or the metadata file)')
    .addOption(dataOption())
    .addArgument(new Argument('<file>', 'the image file'))
    .option('--sha256 <hex>', 'expected SHA-256')
    .option('--image-version <version>', 'version, when no metadata file gives it')
    .option('--initial-password-file <file>', "the image's factory klconfig password")
    .action(async (file: string, opts: { data: string; sha256?: string; imageVersion?: string; initialPasswordFile?: string }) => {
      const image = await withLifecycle(opts.data, ({ images: s }) =>
        s.import({
          path: file,
          ...(opts.sha256 ? { sha256: opts.sha256 } : {}),
          ...(opts.imageVersion ? { version: opts.imageVersion } : {}),
          ...(opts.initialPasswordFile ? { initialConfigPassword: readFileSync(opts.initialPasswordFile, 'utf8').replace(/\r?\n$/, '') } : {}),
        }),
      );
      console.log(`Imported ${image.name} as ${image.id}: ${image.bytes} bytes, SHA-256 ${image.sha256}, version ${image.version ?? 'unknown'}.`);
    });
  images
    .command('list')
    .addOption(dataOption())
    .action(async (opts: { data: string }) => {
      for (const i of await withLifecycle(opts.data, ({ images: s }) => s.list())) console.log(`${i.id}  ${i.name.padEnd(28)} ${String(i.version ?? '-').padEnd(12)} ${i.bytes} bytes  ${i.sha256}`);
    });
  images
    .command('remove')
    .addOption(dataOption())
    .addArgument(new Argument('<id>', 'image id'))
    .action(async (id: string, opts: { data: string }) => {
      await withLifecycle(opts.data, ({ images: s }) => s.remove(id));
      console.log(`Removed image ${id}.`);
    });
  return infra;
}
