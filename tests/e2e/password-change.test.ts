// Changing passwords in the Web Console (Settings → Accounts) against the real `lightkeeper serve`:
// the rule's recommendations are shown, and when admin changes its own password the console goes on
// working — live updates, a reload, the next page — with the new one, and the old one is refused.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { basic, call } from '../support/https-client.ts';
import { ensureConsoleBuilt, launchChromium, SCREENSHOTS } from '../support/console-browser.ts';
import { passwordFileArgs, runCli, startServe, tempDir, testPasswords, type ServeProcess } from '../support/lightkeeper-process.ts';

const passwords = testPasswords('pw-e2e');
const dataDir = tempDir('lk-pw-e2e-');
let serve: ServeProcess;
let browser: Browser;
let page: Page;
const problems: string[] = [];

async function changePassword(account: string, password: string): Promise<void> {
  await page.locator(`[data-change-password-of="${account}"]`).click();
  await page.getByLabel('New password', { exact: true }).fill(password);
  await page.getByLabel('New password again', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Change password', exact: true }).click();
}

beforeAll(async () => {
  ensureConsoleBuilt();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const setup = await runCli(['setup', '--data', dataDir, ...passwordFileArgs(passwords)]);
  expect(setup.code, setup.stderr).toBe(0);
  serve = await startServe(['--data', dataDir, '--port', '0']);
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
  context.setDefaultTimeout(20_000);
  page = await context.newPage();
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource.*400/.test(m.text())) problems.push(m.text());
  });
});

afterAll(async () => {
  await browser?.close();
  serve?.child.kill('SIGTERM');
  await serve?.exited;
});

describe('password changes in the console', () => {
  it("changes another account's password, showing the rule's refusal and then its recommendations", async () => {
    await page.goto(`${serve.url}/connect`);
    await page.getByLabel('Password', { exact: true }).fill(passwords.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await page.goto(`${serve.url}/settings`);
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();

    await changePassword('viewer', 'with space 1A!');
    await expect.poll(() => page.locator('[data-change-password] .n-form-item-feedback').textContent()).toContain('not allowed at position 5, 11');
    await page.getByLabel('New password', { exact: true }).fill('viewer');
    await page.getByLabel('New password again', { exact: true }).fill('viewer');
    await page.getByRole('button', { name: 'Change password', exact: true }).click();
    const warnings = page.locator('[data-password-warnings]');
    await expect.poll(() => warnings.textContent()).toContain('fewer than 8 characters');
    expect(await warnings.textContent()).toContain('1 of the 4 character classes');
    await page.screenshot({ path: join(SCREENSHOTS, 'settings-password-warnings.png') });
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    expect((await call(`${serve.url}/api/v1/health`, { auth: basic('viewer', 'viewer') })).status).toBe(200);
  });

  it('keeps the session when admin changes its own password: live updates, reload and every page go on with the new one', async () => {
    const next = 'Adm1n-Changed!In-The-Console';
    await changePassword('admin', next);
    await expect.poll(() => page.locator('[data-change-password]').count()).toBe(0);
    expect((await call(`${serve.url}/api/v1/health`, { auth: basic('admin', passwords.admin) })).status).toBe(401);
    expect((await call(`${serve.url}/api/v1/health`, { auth: basic('admin', next) })).status).toBe(200);

    // The Accounts table reloaded with the new password in use.
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.getByText('account.password').first().waitFor();
    await expect.poll(() => page.locator('[data-live-state]').textContent(), { timeout: 15_000 }).toContain('Live');

    // A reload signs in again from the tab's memory: with the new password.
    await page.reload();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/audit');
    await expect.poll(() => page.locator('[data-live-state]').textContent(), { timeout: 15_000 }).toContain('Live');
    await page.goto(`${serve.url}/settings`);
    await page.locator('[data-change-password-of="admin"]').waitFor();
    expect(problems).toEqual([]);
  });
});
