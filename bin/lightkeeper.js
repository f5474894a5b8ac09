#!/usr/bin/env node
// Entry point of `npx lightkeeper`. The code is TypeScript run by Node 24's type stripping, so it
// needs the Node 24 pinned in devDependencies (npx and npm scripts put it first on PATH).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `lightkeeper: needs Node 24 or newer, but this is Node ${process.versions.node}. ` +
      'Run it through npm so the pinned Node is used: npx lightkeeper …  (after npm ci)',
  );
  process.exit(1);
}
const { main } = await import('../main/cli.ts');
await main(process.argv);
