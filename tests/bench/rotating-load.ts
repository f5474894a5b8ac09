// Load from a separate process, like autocannon's CLI, but the requests go through the bodies of a
// file of JSON lines in turn: many Light Agents asking, not one asking over and over. autocannon
// builds each request once (a setupRequest per request would make this client the bottleneck).
// Prints the same JSON result the CLI prints with -j.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const [url, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson!) as { connections: number; seconds: number; method: string; headers: Record<string, string>; bodiesFile: string };
const bodies = readFileSync(options.bodiesFile, 'utf8').split('\n').filter(Boolean);
const result = await autocannon({
  url: url!,
  connections: options.connections,
  duration: options.seconds,
  method: options.method as 'POST',
  headers: options.headers,
  requests: bodies.map((body) => ({ method: options.method as 'POST', body })),
});
console.log(JSON.stringify(result));
