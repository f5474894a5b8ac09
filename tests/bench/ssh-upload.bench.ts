// Upload of a 200 MiB image to the lab sshd: our SFTP upload (SshSession.upload, the path every
// KVM image takes) against OpenSSH `scp` of the same file to the same sshd, rounds alternating,
// in the same run. Also the connector's whole uploadImage (upload + SHA-256 check on the host).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KvmConnector } from '../../main/connectors/kvm/kvm-connector.ts';
import { SshSession, shellQuote } from '../../main/connectors/ssh/ssh-session.ts';
import { loadPeersEnv } from '../lab/peers-env.ts';
import { median } from './load.ts';

const run = promisify(execFile);

export async function sshUploadBench(options: { rounds: number; mib: number }) {
  const env = loadPeersEnv('ssh', 'libvirt');
  const work = mkdtempSync(join(tmpdir(), 'lk-bench-upload-'));
  const file = join(work, 'image.bin');
  const chunk = randomBytes(1 << 20);
  // Random bytes: nothing on the way can compress them.
  writeFileSync(file, Buffer.concat(Array.from({ length: options.mib }, (_, i) => (i % 2 ? chunk : randomBytes(1 << 20)))));
  const known = join(work, 'known_hosts');
  writeFileSync(known, `[${env.get('LK_SSH_HOST')}]:${env.num('LK_SSH_PORT')} ${readFileSync(env.get('LK_SSH_HOST_KEY_PUB'), 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
  const remoteDir = `${env.get('LK_KVM_IMAGE_DIR')}/bench-${process.pid}`;
  const session = await SshSession.connect({
    host: env.get('LK_SSH_HOST'), port: env.num('LK_SSH_PORT'), username: env.get('LK_SSH_USER'),
    auth: { privateKey: readFileSync(env.get('LK_SSH_USER_KEY'), 'utf8') }, hostKeyFingerprint: env.get('LK_SSH_HOST_KEY_FINGERPRINT'),
  });
  await session.exec(`mkdir -p ${shellQuote(remoteDir)}`);
  const kvm = new KvmConnector(session, { imageDir: remoteDir, libvirtUri: env.get('LK_LIBVIRT_URI') });
  const timed = async (work: () => Promise<unknown>) => {
    const t = process.hrtime.bigint();
    await work();
    return Number(process.hrtime.bigint() - t) / 1e9;
  };
  const ours: number[] = [];
  const scp: number[] = [];
  const whole: number[] = [];
  try {
    for (let i = 0; i < options.rounds; i++) {
      ours.push(await timed(() => session.upload(file, `${remoteDir}/ours.bin`)));
      scp.push(await timed(() => run('scp', ['-q', '-B', '-i', env.get('LK_SSH_USER_KEY'), '-P', String(env.num('LK_SSH_PORT')), '-o', `UserKnownHostsFile=${known}`, '-o', 'StrictHostKeyChecking=yes', file, `${env.get('LK_SSH_USER')}@${env.get('LK_SSH_HOST')}:${remoteDir}/scp.bin`])));
      await session.exec(`rm -f ${shellQuote(remoteDir)}/*`);
      whole.push(await timed(() => kvm.uploadImage({ localPath: file, name: `img-${i}.qcow2` })));
      await session.exec(`rm -f ${shellQuote(remoteDir)}/*`);
    }
  } finally {
    await session.exec(`rm -rf ${shellQuote(remoteDir)}`).catch(() => undefined);
    session.dispose();
    rmSync(work, { recursive: true, force: true });
  }
  const mibps = (s: number) => (options.mib / s).toFixed(0);
  const o = median(ours);
  const s = median(scp);
  const w = median(whole);
  return {
    title: `Upload of a ${options.mib} MiB file to the lab sshd (loopback), ${options.rounds} rounds alternating, medians`,
    header: ['', 'seconds', 'MiB/s', 'vs scp'],
    rows: [
      ['lightkeeper SFTP upload', o.toFixed(2), mibps(o), `${(s / o).toFixed(2)}×`],
      ['scp (OpenSSH, same file, same sshd)', s.toFixed(2), mibps(s), '1.00×'],
      ['uploadImage (upload + SHA-256 on host)', w.toFixed(2), mibps(w), `${(s / w).toFixed(2)}×`],
    ],
  };
}
