/**
 * The Integration Server's SSH key for SVMs, made once and kept sealed in the settings: deploy sets
 * it on each SVM (`setsshkey`), later operations log in with it.
 */
import { generateSshKeyPair, type SshKeyPair } from '../connectors/ssh/ssh-keys.ts';
import type { Sealer } from '../store/sealing.ts';
import type { SettingsRepository } from '../store/repositories.ts';

const KEY = 'svm.sshKey';

export function createSvmSshIdentity(settings: SettingsRepository, sealer: Sealer) {
  let cached: SshKeyPair | null = null;
  let making: Promise<SshKeyPair> | null = null;
  async function load(): Promise<SshKeyPair> {
    const stored = await settings.get<{ publicKey: string; privateKeySealed: string }>(KEY);
    if (stored) return { publicKey: stored.publicKey, privateKey: sealer.open(stored.privateKeySealed) };
    const pair = generateSshKeyPair('lightkeeper-integration-server');
    await settings.set(KEY, { publicKey: pair.publicKey, privateKeySealed: sealer.seal(pair.privateKey) });
    return pair;
  }
  return {
    async get(): Promise<SshKeyPair> {
      if (cached) return cached;
      making ??= load();
      cached = await making;
      return cached;
    },
  };
}
export type SvmSshIdentity = ReturnType<typeof createSvmSshIdentity>;
