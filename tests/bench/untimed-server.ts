// The Integration Server on a data folder, listening, without its background timers (the batched
// write of what agents asked, the stale sweep, the inventory and report schedules). For counting
// instructions under callgrind only: there a request takes ~100× longer, so work done per second
// would be counted ~100× per request. Prints the URL like `lightkeeper serve`.
import { createIntegrationServer } from '../../main/server.ts';

const [dataDir] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: untimed-server.ts DATA_DIR');
const server = await createIntegrationServer({ dataDir, host: '127.0.0.1', port: 0, logLevel: 'warn' });
await server.app.listen({ host: '127.0.0.1', port: 0 });
const address = server.app.server.address();
console.log(`URL https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
