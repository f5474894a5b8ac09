import { ACCOUNT_NAMES, type AccountName } from '../contract/accounts.ts';
import { checkPassword, type PasswordFinding } from '../domain/password-policy.ts';
import { dataFolder } from '../store/data-folder.ts';
import { fileDataKeyProvider, type DataKeyProvider } from '../store/data-key.ts';
import { openStore, type Store } from '../store/store.ts';
import { createAccountsService, PasswordRejectedError } from './accounts.ts';
import { createLoginThrottle } from './login-throttle.ts';
import { ensureCertificate, generateCertificate, readCertificate, type ServerCertificate } from './tls-certificate.ts';

export class AlreadySetUpError extends Error {
  constructor(dir: string) {
    super(`The data folder ${dir} is already set up. Add --force to set every password again, or use 'lightkeeper accounts passwd NAME' for one.`);
    this.name = 'AlreadySetUpError';
  }
}

/** Opens the data folder's store for one piece of work, for the CLI commands that need no server. */
export async function withStore<T>(dir: string, create: boolean, keys: DataKeyProvider | undefined, work: (store: Store) => Promise<T>): Promise<T> {
  const folder = dataFolder(dir);
  const store = await openStore(folder, keys ?? fileDataKeyProvider(folder.dataKey), { create });
  try {
    return await work(store);
  } finally {
    store.close();
  }
}

/**
 * First-run setup: a password for every account (there are no defaults), the data key and the TLS
 * certificate. Every password is checked before any is stored, so a refusal changes nothing.
 */
export async function setUpDataFolder(
  dir: string,
  passwords: Record<AccountName, string>,
  options: { force: boolean; keys?: DataKeyProvider },
): Promise<{ warnings: Array<{ account: AccountName; finding: PasswordFinding }>; certificate: ServerCertificate }> {
  for (const name of ACCOUNT_NAMES) {
    const { errors } = checkPassword(passwords[name]);
    if (errors.length > 0) throw new PasswordRejectedError(name, errors);
  }
  return withStore(dir, true, options.keys, async (store) => {
    const accounts = createAccountsService(store.accounts, createLoginThrottle(), () => new Date());
    if (!options.force && (await store.accounts.list()).length > 0) throw new AlreadySetUpError(store.folder.root);
    const warnings: Array<{ account: AccountName; finding: PasswordFinding }> = [];
    for (const name of ACCOUNT_NAMES) {
      const r = await accounts.setPassword(name, passwords[name]);
      warnings.push(...r.warnings.map((finding) => ({ account: name, finding })));
    }
    const { certificate } = await ensureCertificate(store.folder, store.sealer);
    return { warnings, certificate };
  });
}

export async function changePassword(dir: string, name: AccountName, password: string, keys?: DataKeyProvider) {
  return withStore(dir, false, keys, (store) => createAccountsService(store.accounts, createLoginThrottle(), () => new Date()).setPassword(name, password));
}

export async function showCertificate(dir: string, keys?: DataKeyProvider): Promise<ServerCertificate | undefined> {
  return withStore(dir, false, keys, async (store) => readCertificate(store.folder, store.sealer));
}

export async function renewCertificate(dir: string, extraNames: string[], keys?: DataKeyProvider): Promise<ServerCertificate> {
  return withStore(dir, false, keys, (store) => generateCertificate(store.folder, store.sealer, extraNames));
}
