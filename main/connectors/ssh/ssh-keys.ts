/**
 * The Integration Server's own SSH key for SVMs: set on each SVM with `setsshkey` during
 * deployment, so later work (reconfigure) logs in with it even after the configuration password
 * was changed. ECDSA P-256 because ssh2 reads its SEC1 PEM and Node makes it without a library.
 */
import { generateKeyPairSync } from 'node:crypto';

export type SshKeyPair = { privateKey: string; publicKey: string };

const sshString = (b: Buffer) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
};

export function generateSshKeyPair(comment: string): SshKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  const blob = Buffer.concat([sshString(Buffer.from('ecdsa-sha2-nistp256')), sshString(Buffer.from('nistp256')), sshString(point)]);
  return {
    privateKey: privateKey.export({ format: 'pem', type: 'sec1' }).toString(),
    publicKey: `ecdsa-sha2-nistp256 ${blob.toString('base64')} ${comment}`,
  };
}
