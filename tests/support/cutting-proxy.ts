/**
 * A TCP proxy in front of a real server that cuts its connections once, after a given number of
 * bytes went upstream: an SSH session dropped in the middle of an upload, as a flaky network does
 * it. Later connections pass untouched (so a rollback can reconnect).
 */
import { connect, createServer, type Socket } from 'node:net';

export async function startCuttingProxy(target: { host: string; port: number }) {
  let cutAfter: number | null = null;
  let cuts = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    let sent = 0;
    client.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      if (cutAfter !== null && sent > cutAfter) {
        cutAfter = null;
        cuts++;
        client.destroy();
        upstream.destroy();
        return;
      }
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    /** The next connection that sends more than `bytes` upstream is cut. */
    cutAfter(bytes: number) {
      cutAfter = bytes;
    },
    cuts: () => cuts,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
