import { Command, Option } from 'commander';
import type { ServerCertificate } from '../services/tls-certificate.ts';
import { renewCertificate, showCertificate } from '../services/setup.ts';
import { dataOption } from './options.ts';

function print(c: ServerCertificate): void {
  console.log(`SHA-256 fingerprint  ${c.fingerprint256}`);
  console.log(`Valid                ${c.validFrom} … ${c.validTo}`);
  console.log(`Names                ${c.subjectAltNames.join(', ')}`);
}

export function certCommand(): Command {
  const cert = new Command('cert').description("the server's TLS certificate");
  cert
    .command('show')
    .description('print the fingerprint, validity and names')
    .addOption(dataOption())
    .action(async (opts: { data: string }) => {
      const c = await showCertificate(opts.data);
      if (!c) throw new Error(`No certificate in ${opts.data} yet: run 'npx lightkeeper setup --data ${opts.data}'.`);
      print(c);
    });
  cert
    .command('renew')
    .description('make a new self-signed certificate (clients that pinned the old one must pin the new fingerprint)')
    .addOption(dataOption())
    .addOption(new Option('--name <names...>', 'extra host names or addresses for the certificate').default([]))
    .action(async (opts: { data: string; name: string[] }) => {
      const c = await renewCertificate(opts.data, opts.name);
      console.log('New certificate made; restart the server to use it.');
      print(c);
    });
  return cert;
}
