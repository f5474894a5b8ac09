// The data key sealed with a key derived from a passphrase, for systems without an OS keychain:
// scrypt (memory-hard, so a stolen file resists guessing) and AES-256-GCM (a wrong passphrase fails
// the tag check instead of yielding a wrong key).
import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';

export const MIN_PASSPHRASE_LENGTH = 12;

type SealedKeyFile = {
  version: 1;
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  iv: string;
  tag: string;
  sealed: string;
};

export class WrongPassphraseError extends Error {
  constructor() {
    super('The passphrase does not open this data key.');
    this.name = 'WrongPassphraseError';
  }
}

const SCRYPT = { N: 2 ** 15, r: 8, p: 1 };

function derive(passphrase: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 128 * params.N * params.r * 2 };
  return new Promise((resolve, reject) => scrypt(passphrase.normalize('NFC'), salt, 32, options, (e, key) => (e ? reject(e) : resolve(key))));
}

export async function sealWithPassphrase(key: Buffer, passphrase: string): Promise<string> {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) throw new Error(`The passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters.`);
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const wrapping = await derive(passphrase, salt, SCRYPT);
  const cipher = createCipheriv('aes-256-gcm', wrapping, iv);
  const sealed = Buffer.concat([cipher.update(key), cipher.final()]);
  const file: SealedKeyFile = {
    version: 1,
    kdf: 'scrypt',
    ...SCRYPT,
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    sealed: sealed.toString('base64'),
  };
  return JSON.stringify(file) + '\n';
}

export async function openWithPassphrase(text: string, passphrase: string): Promise<Buffer> {
  const file = JSON.parse(text) as SealedKeyFile;
  if (file.version !== 1 || file.kdf !== 'scrypt') throw new Error('The sealed data key file has an unknown format.');
  const wrapping = await derive(passphrase, Buffer.from(file.salt, 'base64'), file);
  const decipher = createDecipheriv('aes-256-gcm', wrapping, Buffer.from(file.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(file.tag, 'base64'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(file.sealed, 'base64')), decipher.final()]);
  } catch {
    throw new WrongPassphraseError();
  }
}
