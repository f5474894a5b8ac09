import { setUpDataFolder } from '../../main/services/setup.ts';
import { createIntegrationServer, type IntegrationServer, type ServerConfig } from '../../main/server.ts';
import { tempDir, testPasswords } from './lightkeeper-process.ts';

/** A set-up data folder and a server on it, for `inject()` tests (and `start()` for a real port). */
export async function inProcessServer(config: Partial<ServerConfig> = {}) {
  const dataDir = tempDir();
  const passwords = testPasswords();
  await setUpDataFolder(dataDir, passwords, { force: false });
  const server: IntegrationServer = await createIntegrationServer({ dataDir, port: 0, ...config });
  const auth = (account: keyof typeof passwords) => ({ authorization: 'Basic ' + Buffer.from(`${account}:${passwords[account]}`).toString('base64') });
  return { server, dataDir, passwords, auth };
}
