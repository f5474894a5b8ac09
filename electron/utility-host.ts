// Launches server-host.ts in an Electron utilityProcess and answers its requests for the data key
// on a dedicated MessageChannel: the key never goes through argv, the environment or a file.
import { MessageChannelMain, utilityProcess } from 'electron';
import type { HostToMain, KeyReply, KeyRequest } from '../main/contract/desktop.ts';
import type { DataKeySource } from './keychain.ts';
import type { LaunchHost } from './server-supervisor.ts';

export function utilityHostLauncher(entry: string, keys: DataKeySource): LaunchHost {
  return (config) => {
    const child = utilityProcess.fork(entry, [], { serviceName: 'Lightkeeper Integration Server', stdio: 'inherit' });
    const { port1: ours, port2: theirs } = new MessageChannelMain();
    ours.on('message', async ({ data }) => {
      const request = data as KeyRequest;
      let reply: KeyReply;
      try {
        const key = await keys.getKey({ create: request.create });
        reply = { type: 'key', key: new Uint8Array(key) };
        key.fill(0);
      } catch (error) {
        reply = { type: 'key-error', reason: error instanceof Error ? error.message : String(error) };
      }
      ours.postMessage(reply);
    });
    ours.start();
    child.on('exit', () => ours.close());
    child.postMessage({ type: 'start', config }, [theirs]);
    return {
      send: (message) => child.postMessage(message),
      onMessage: (listener) => void child.on('message', (message: HostToMain) => listener(message)),
      onExit: (listener) => void child.on('exit', (code) => listener(code)),
      kill: () => void child.kill(),
    };
  };
}
