import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Seals secrets at rest: AES-256-GCM under the data key, a fresh 96-bit nonce per value. */
export type Sealer = {
  seal(plaintext: string): string;
  open(sealed: string): string;
};

const PREFIX = 'v1:';

export function createSealer(key: Buffer): Sealer {
  if (key.length !== 32) throw new Error('The data key must be 32 bytes (AES-256).');
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    open(sealed) {
      if (!sealed.startsWith(PREFIX)) throw new Error('Not a sealed value.');
      const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      try {
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        // Never echo the value: say what is wrong and where to look.
        throw new Error('A sealed secret could not be opened: the data key does not match the one it was sealed with.');
      }
    },
  };
}
