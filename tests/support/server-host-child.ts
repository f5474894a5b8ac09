// Runs a built server-host bundle under plain Node, playing Electron's utilityProcess around it:
// process.parentPort and the key port are carried over Node's IPC channel (structured clone), so a
// test can drive the real bundle the way the desktop app's main process does.
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';

type Envelope = { channel: 'parent' | 'key'; data: unknown; withKeyPort?: boolean };

class IpcPort extends EventEmitter {
  readonly channel: Envelope['channel'];
  constructor(channel: Envelope['channel']) {
    super();
    this.channel = channel;
  }
  postMessage(data: unknown) {
    process.send?.({ channel: this.channel, data } satisfies Envelope);
  }
  start() {}
  close() {}
}

const parent = new IpcPort('parent');
const key = new IpcPort('key');
process.on('message', (m: Envelope) => {
  if (m.channel === 'parent') parent.emit('message', { data: m.data, ports: m.withKeyPort ? [key] : [] });
  else key.emit('message', { data: m.data, ports: [] });
});
(process as unknown as { parentPort?: IpcPort }).parentPort = parent;
await import(pathToFileURL(process.argv[2] ?? '').href);
