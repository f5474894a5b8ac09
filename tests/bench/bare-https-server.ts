// The reference for the benchmarks: a bare Fastify HTTPS server, same TLS key type as ours, one
// route that returns the given bytes with the given content type, and nothing else (no auth, no
// hooks, no schemas). Prints its port, then serves until killed.
import Fastify from 'fastify';
import { generate } from 'selfsigned';

const [path = '/', contentType = 'application/json', body = '{}'] = process.argv.slice(2);
const pems = await generate([{ name: 'commonName', value: 'bench' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' });
const app = Fastify({ https: { key: pems.private, cert: pems.cert } });
const bytes = Buffer.from(body);
app.get(path, async (_req, reply) => reply.type(contentType).send(bytes));
app.post(path, async (_req, reply) => reply.type(contentType).send(bytes));
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
console.log(`PORT ${typeof address === 'object' && address ? address.port : 0}`);
