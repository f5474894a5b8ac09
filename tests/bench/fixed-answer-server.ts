// The Integration Server as `lightkeeper serve` runs it (timers on), except that discovery answers
// the given bytes: what authentication, validation, routing and the server's setup cost without
// discovery's own work. The discovery benchmark puts it beside the real server, on a data folder
// as full (100,000 agents, the same SVMs reported), so that both carry the same heap.
// Prints `PORT n`, then serves until killed.
import { readFileSync } from 'node:fs';
import { createIntegrationServer } from '../../main/server.ts';

const [dataDir, answerFile] = process.argv.slice(2);
if (!dataDir || !answerFile) throw new Error('usage: fixed-answer-server.ts DATA_DIR ANSWER_FILE');
const answer = readFileSync(answerFile);
const server = await createIntegrationServer({ dataDir, host: '127.0.0.1', port: 0, logLevel: 'warn' });
server.services.svms.discoverJson = () => answer;
const { port } = await server.start();
console.log(`PORT ${port}`);
