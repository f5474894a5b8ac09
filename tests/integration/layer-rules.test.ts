import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const fixture = (name: string) => readFileSync(join(root, 'tests/fixtures/layers', name), 'utf8');

/** Lints `code` as if it were the file at `asPath`, exactly as `npm run lint` would. */
async function lintAs(asPath: string, code: string): Promise<{ failed: boolean; output: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [join(root, 'node_modules/eslint/bin/eslint.js'), '--stdin', '--stdin-filename', asPath, '--format', 'json'],
      { cwd: root },
      (err, stdout, stderr) => {
        if (err && err.code !== 1) return reject(new Error(`eslint could not run: ${stderr}`));
        const [result] = JSON.parse(stdout) as Array<{ messages: Array<{ ruleId: string; message: string }> }>;
        const output = result!.messages.map((m) => `${m.ruleId}: ${m.message}`).join('\n');
        resolve({ failed: err !== null, output });
      },
    );
    child.stdin!.end(code);
  });
}

describe('the layer rules bite', () => {
  it('fails lint when domain imports store', async () => {
    const r = await lintAs('main/domain/forbidden.ts', fixture('domain-imports-store.ts'));
    expect(r.failed).toBe(true);
    expect(r.output).toMatch(/no-restricted-imports.*domain imports only contract/);
  });

  it('passes the same kind of import where the layers allow it (services → store)', async () => {
    const r = await lintAs('main/services/allowed.ts', fixture('domain-imports-store.ts'));
    expect(r).toEqual({ failed: false, output: '' });
  });

  it('fails lint when http imports store', async () => {
    const r = await lintAs('main/http/forbidden.ts', fixture('http-imports-store.ts'));
    expect(r.output).toMatch(/http imports only services and contract/);
  });

  it('fails lint when the renderer imports anything of main but the contract', async () => {
    const r = await lintAs('renderer/src/api/forbidden.ts', fixture('renderer-imports-services.ts'));
    expect(r.output).toMatch(/renderer imports only main\/contract/);
  });

  it('fails lint when domain imports a Node module', async () => {
    const r = await lintAs('main/domain/io.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n");
    expect(r.output).toMatch(/This layer has no I\/O/);
  });

  it('fails `npm run lint` itself on a forbidden import', async () => {
    // Through npm, as a developer runs it; the file is read from stdin so the tree is never touched.
    const output = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = execFile('npm', ['run', 'lint', '--', '--stdin', '--stdin-filename', 'main/domain/forbidden.ts'], { cwd: root }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      );
      child.stdin!.end(fixture('domain-imports-store.ts'));
    });
    expect(output.code).not.toBe(0);
    expect(output.out).toMatch(/domain imports only contract/);
  });
});

describe('the web-side compiler refuses Node', () => {
  it('cannot resolve node:fs in renderer code', async () => {
    const dir = join(root, 'renderer/.typecheck-fixture');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'leak.ts'), fixture('renderer-imports-node.ts'));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../tsconfig.json', include: ['leak.ts'] }));
    try {
      const r = await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { cwd: root }).then(
        () => ({ failed: false, out: '' }),
        (e: { stdout: string }) => ({ failed: true, out: e.stdout }),
      );
      expect(r.failed).toBe(true);
      expect(r.out).toMatch(/leak\.ts.*Cannot find (module|name) 'node:fs'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
