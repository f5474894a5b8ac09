import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import password from '@inquirer/password';
import { Agent, buildConnector, request } from 'undici';
import { dataFolder } from '../store/data-folder.ts';

/**
 * The CLI as a client of a running Integration Server (local or remote). The server's certificate
 * is self-signed, so the CLI trusts exactly one: the fingerprint given with --fingerprint, else the
 * one in the local data folder. It is compared before a byte of HTTP (and so of the password) leaves.
 */
export type ServerClientOptions = { server: string; user: string; passwordFile?: string; fingerprint?: string; data: string };

function pinnedFingerprint(o: ServerClientOptions): string {
  if (o.fingerprint) return o.fingerprint.replace(/[\s:]/g, '').toUpperCase().match(/../g)!.join(':');
  const cert = dataFolder(o.data).tlsCertificate;
  if (existsSync(cert)) return new X509Certificate(readFileSync(cert)).fingerprint256;
  throw new Error(`No certificate to trust: pass --fingerprint (the SHA-256 that 'lightkeeper serve' prints), or --data with the server's data folder.`);
}

async function passwordOf(o: ServerClientOptions): Promise<string> {
  if (o.passwordFile) return readFileSync(o.passwordFile, 'utf8').replace(/\r?\n$/, '');
  if (process.env.LIGHTKEEPER_PASSWORD) return process.env.LIGHTKEEPER_PASSWORD;
  if (!process.stdin.isTTY) throw new Error(`No terminal to ask the password of '${o.user}': pass --password-file FILE or set LIGHTKEEPER_PASSWORD.`);
  return password({ message: `Password of '${o.user}' on ${o.server}:`, mask: '*' });
}

export async function getFromServer(o: ServerClientOptions, path: string, accept = 'application/json'): Promise<{ status: number; body: string }> {
  const pin = pinnedFingerprint(o);
  const base = buildConnector({ rejectUnauthorized: false, maxCachedSessions: 0 });
  const dispatcher = new Agent({
    connect: (options, callback) =>
      base(options, (error, socket) => {
        if (error !== null) return callback(error, null);
        const presented = (socket as TLSSocket).getPeerX509Certificate?.()?.fingerprint256;
        if (presented !== pin) {
          socket.destroy();
          return callback(new Error(`The server presented certificate ${presented ?? '(none)'}, not the trusted ${pin}.`), null);
        }
        callback(null, socket);
      }),
  });
  try {
    const authorization = 'Basic ' + Buffer.from(`${o.user}:${await passwordOf(o)}`).toString('base64');
    const res = await request(new URL(path, o.server), { dispatcher, headers: { authorization, accept } });
    return { status: res.statusCode, body: await res.body.text() };
  } finally {
    await dispatcher.close();
  }
}
