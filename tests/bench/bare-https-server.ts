// The reference for the benchmarks: a bare Fastify HTTPS server, same TLS key type as ours, one
// route that returns the given bytes with the given content type, and nothing else (no auth, no
// hooks, no schemas). Prints its port, then serves until killed.
// With a fourth argument, the route first spends that many microseconds of CPU: a calibration of
// what a fixed amount of work per request costs on this machine, beyond the work itself.
import Fastify, { type FastifyReply } from 'fastify';
import { generate } from 'selfsigned';

const [path = '/', contentType = 'application/json', body = '{}', workMicroseconds = '0'] = process.argv.slice(2);
const workNs = BigInt(Math.round(Number(workMicroseconds) * 1000));
const work = () => {
  const until = process.hrtime.bigint() + workNs;
  while (process.hrtime.bigint() < until);
};
const pems = await generate([{ name: 'commonName', value: 'bench' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' });
const app = Fastify({ https: { key: pems.private, cert: pems.cert } });
const bytes = Buffer.from(body);
const answer = async (_req: unknown, reply: FastifyReply) => {
  if (workNs > 0n) work();
  return reply.type(contentType).send(bytes);
};
app.get(path, answer);
app.post(path, answer);
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
console.log(`PORT ${typeof address === 'object' && address ? address.port : 0}`);
