import type { ServerResponse } from 'node:http';
import type { App, AppOptions } from '../types.ts';

const HEARTBEAT_MS = 15_000;

/**
 * The console's live channel: server-sent events, one `event:` per ServerEvent name. A comment line
 * every 15 s keeps proxies from closing an idle stream; streams end when the server stops.
 */
export async function eventRoutes(app: App, { services }: AppOptions) {
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });
  app.get('/events', { schema: { tags: ['server'], summary: 'Live events (text/event-stream)' } }, (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 3000\n\n');
    open.add(res);
    const unsubscribe = services.events.subscribe((e) => res.write(`event: ${e.name}\ndata: ${JSON.stringify(e.data)}\n\n`));
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    req.raw.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      open.delete(res);
    });
  });
}
