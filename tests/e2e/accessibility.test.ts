// Accessibility of every page of the Web Console, checked with axe-core in Debian's Chromium against
// the real `lightkeeper serve`: no serious or critical violation (WCAG 2.x A and AA rules and axe's
// best practices), in the light and in the dark theme. The pages come from the console's router,
// so a page added there is checked without touching this file.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { basic, call } from '../support/https-client.ts';
import { ensureConsoleBuilt, launchChromium, SCREENSHOTS } from '../support/console-browser.ts';
import { passwordFileArgs, runCli, startServe, tempDir, testPasswords, type ServeProcess } from '../support/lightkeeper-process.ts';

const passwords = testPasswords('a11y');
const dataDir = tempDir('lk-a11y-');
let serve: ServeProcess;
let browser: Browser;

/** The router's pages, read from its source: `path: 'tenants'` → /tenants; the catch-all → a path no page has. */
function routerPages(): string[] {
  const source = readFileSync(new URL('../../renderer/src/router.ts', import.meta.url), 'utf8');
  const paths = [...source.matchAll(/\{\s*path:\s*'([^']*)'/g)].map((m) => m[1]!);
  const pages = paths.filter((p) => p !== '/' && p !== '/connect').map((p) => (p.startsWith(':pathMatch') ? '/no-such-page' : p.startsWith('/') ? p : `/${p}`));
  if (pages.length < 10) throw new Error(`found only ${pages.length} pages in router.ts: ${pages.join(', ')}`);
  return pages;
}

type Finding = { where: string; rule: string; impact: string; help: string; nodes: string[] };

async function violations(page: Page, where: string): Promise<Finding[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ where, rule: v.id, impact: v.impact ?? '', help: v.help, nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`) }));
}

const describeFindings = (found: Finding[]) =>
  found.map((f) => `${f.where}: [${f.impact}] ${f.rule} — ${f.help}\n    ${f.nodes.join('\n    ')}`).join('\n');

/** API calls in flight per page (the live stream never ends, so it is not one of them). */
const inFlight = new WeakMap<Page, Set<unknown>>();
function trackRequests(page: Page): void {
  const pending = new Set<unknown>();
  inFlight.set(page, pending);
  page.on('request', (r) => {
    if (!r.url().includes('/api/v1/events')) pending.add(r);
  });
  page.on('requestfinished', (r) => pending.delete(r));
  page.on('requestfailed', (r) => pending.delete(r));
}

/** Settles a page: its heading is there, nothing it asked the server for is outstanding, transitions have ended. */
async function settled(page: Page): Promise<void> {
  await page.locator('h1').first().waitFor();
  const pending = inFlight.get(page)!;
  for (let quiet = 0; quiet < 3; ) {
    await page.waitForTimeout(150);
    quiet = pending.size === 0 ? quiet + 1 : 0;
  }
}

beforeAll(async () => {
  ensureConsoleBuilt();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const setup = await runCli(['setup', '--data', dataDir, ...passwordFileArgs(passwords)]);
  expect(setup.code, setup.stderr).toBe(0);
  serve = await startServe(['--data', dataDir, '--port', '0']);
  // Something on the pages: a tenant in the list and a finished task.
  const auth = basic('admin', passwords.admin);
  const tenant = await call(`${serve.url}/api/v1/tenants`, { method: 'POST', auth, body: JSON.stringify({ name: 'Accessible Ltd', type: 'Simple', description: 'for the axe check' }) });
  expect(tenant.status, tenant.body).toBe(202);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  serve?.child.kill('SIGTERM');
  await serve?.exited;
});

describe('accessibility of every page (axe-core, no serious or critical violation)', () => {
  for (const theme of ['light', 'dark'] as const) {
    it(`in the ${theme} theme`, { timeout: 400_000 }, async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: theme, locale: 'en-GB' });
      context.setDefaultTimeout(20_000);
      const page = await context.newPage();
      trackRequests(page);
      const found: Finding[] = [];
      try {
        await page.goto(`${serve.url}/connect`);
        await page.getByText('Sign in to Lightkeeper', { exact: true }).waitFor();
        await page.waitForTimeout(400);
        found.push(...(await violations(page, `/connect (${theme})`)));

        await page.getByLabel('Password', { exact: true }).fill(passwords.admin);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
        await settled(page);
        found.push(...(await violations(page, `/ (${theme})`)));

        for (const path of routerPages()) {
          await page.goto(`${serve.url}${path}`);
          await settled(page).catch(async (e: Error) => {
            await page.screenshot({ path: join(SCREENSHOTS, `a11y-unsettled-${theme}${path.replaceAll('/', '-')}.png`) });
            throw new Error(`${path} (${theme}) did not settle: ${e.message.split('\n')[0]}`);
          });
          expect(new URL(page.url()).pathname, `${path} sent the browser elsewhere`).toBe(path);
          found.push(...(await violations(page, `${path} (${theme})`)));
        }

        // The dialogs people fill in most: a new tenant, a new password.
        await page.goto(`${serve.url}/tenants`);
        await settled(page);
        await page.getByRole('button', { name: 'New tenant…' }).click();
        await page.getByLabel('Tenant name').waitFor();
        await page.waitForTimeout(400);
        found.push(...(await violations(page, `/tenants, New tenant dialog (${theme})`)));

        await page.goto(`${serve.url}/settings`);
        await settled(page);
        await page.locator('[data-change-password-of="viewer"]').click();
        await page.getByLabel('New password', { exact: true }).waitFor();
        await page.waitForTimeout(400);
        found.push(...(await violations(page, `/settings, change password dialog (${theme})`)));
      } finally {
        await context.close();
      }
      writeFileSync(join(SCREENSHOTS, `../accessibility-${theme}.json`), JSON.stringify(found, null, 2));
      expect(found, describeFindings(found)).toEqual([]);
    });
  }
});
