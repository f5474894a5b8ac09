/**
 * Reads $LK_PEERS_DIR/peers.env, written by `tests/lab/peers.sh start`. A missing file or key
 * fails the test file with a message naming the peer: integration tests never skip a peer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PEERS = {
  ssh: { what: 'OpenSSH sshd for the KVM host account', keys: ['LK_SSH_HOST', 'LK_SSH_PORT', 'LK_SSH_HOST_KEY_FINGERPRINT', 'LK_SSH_HOST_KEY_PUB', 'LK_SSH_USER', 'LK_SSH_PASSWORD', 'LK_SSH_USER_KEY', 'LK_SSH_USER_KEY_PUB'] },
  svm: { what: "the lab SVM's sshd with the klconfig simulator", keys: ['LK_SVM_HOST', 'LK_SVM_PORT', 'LK_SVM_HOST_KEY_FINGERPRINT', 'LK_SVM_USER', 'LK_SVM_PASSWORD', 'LK_SVM_STATE_DIR'] },
  libvirt: { what: 'libvirtd + virtlogd with QEMU', keys: ['LK_LIBVIRT_URI', 'LK_KVM_IMAGE_DIR', 'LK_KVM_DOMAIN_TYPE'] },
  chromium: { what: "Debian's Chromium", keys: ['LK_CHROMIUM'] },
} as const;

export type PeerName = keyof typeof PEERS;
export type PeersEnv = {
  file: string;
  /** A value; throws when peers.env lacks it. */
  get(key: string): string;
  /** A whole-number value (ports). */
  num(key: string): number;
};

export const peersDir = () => process.env.LK_PEERS_DIR ?? '/tmp/lightkeeper-peers';

/** The peers.env values; throws naming every peer asked for when they are not up. */
export function loadPeersEnv(...peers: PeerName[]): PeersEnv {
  const file = join(peersDir(), 'peers.env');
  const names = peers.map((p) => `${p} (${PEERS[p].what})`).join(', ');
  if (!existsSync(file)) {
    throw new Error(`Lab peer(s) not running: ${names}. ${file} is missing; start them with \`bash tests/lab/peers.sh start\` (as root).`);
  }
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && !line.startsWith('#')) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  for (const peer of peers) {
    const missing = PEERS[peer].keys.filter((k) => !env[k]);
    if (missing.length > 0) {
      throw new Error(`Lab peer "${peer}" (${PEERS[peer].what}) is not described in ${file}: ${missing.join(', ')} missing. Run \`bash tests/lab/peers.sh start\` again.`);
    }
  }
  const get = (key: string): string => {
    const value = env[key];
    if (value === undefined || value === '') throw new Error(`${key} is missing from ${file}; run \`bash tests/lab/peers.sh start\` again.`);
    return value;
  };
  const num = (key: string): number => {
    const n = Number(get(key));
    if (!Number.isInteger(n)) throw new Error(`${key} in ${file} is not a whole number: ${env[key]}`);
    return n;
  };
  return { file, get, num };
}
