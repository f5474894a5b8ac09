// First run through the Web Console: a server started on an empty folder prints a one-time token
// on its terminal; only with it can the console set the account passwords.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ensureConsoleBuilt, launchChromium, SCREENSHOTS } from '../support/console-browser.ts';
import { startServe, tempDir, testPasswords, type ServeProcess } from '../support/lightkeeper-process.ts';

const passwords = testPasswords('first-run');
let serve: ServeProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  ensureConsoleBuilt();
  serve = await startServe(['--data', tempDir('lk-e2e-first-'), '--port', '0', '--first-run']);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(20_000);
});

afterAll(async () => {
  await browser?.close();
  serve?.child.kill('SIGTERM');
  await serve?.exited;
});

async function fillPasswords() {
  for (const [name, password] of Object.entries(passwords)) await page.getByLabel(`Password for ${name}`, { exact: true }).fill(password);
}

describe('first-run setup in Chromium', () => {
  it('asks for the setup token instead of a sign-in, and refuses a wrong one', async () => {
    await page.goto(`${serve.url}/`);
    await page.getByText('This server is new: set it up first').waitFor();
    await page.getByLabel('Setup token').fill('not-the-token');
    await fillPasswords();
    await page.getByRole('button', { name: 'Set up and sign in as admin' }).click();
    await expect.poll(() => page.locator('[data-setup-error]').textContent()).toMatch(/token/i);
    await page.screenshot({ path: join(SCREENSHOTS, 'first-run.png') });
  });

  it('sets every password with the printed token and lands signed in on the dashboard', async () => {
    const token = (await serve.waitFor(/setup token (\S+)/))[1]!;
    await page.getByLabel('Setup token').fill(token);
    await page.getByRole('button', { name: 'Set up and sign in as admin' }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await expect.poll(() => page.locator('[data-live-state]').textContent()).toContain('Live');
  });
});
