// The Web Console end to end: the real `lightkeeper serve` over TLS, the built console it serves,
// and Debian's Chromium clicking through it as an administrator would.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureConsoleBuilt, launchChromium, SCREENSHOTS } from '../support/console-browser.ts';
import { passwordFileArgs, runCli, startServe, tempDir, testPasswords, type ServeProcess } from '../support/lightkeeper-process.ts';

const passwords = testPasswords('e2e');
const dataDir = tempDir('lk-e2e-');
let serve: ServeProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const consoleProblems: string[] = [];

async function signIn(p: Page, account: 'admin' | 'viewer', password: string) {
  await p.goto(`${serve.url}/`);
  await p.getByText('Sign in to Lightkeeper', { exact: true }).waitFor();
  await p.getByLabel('Password', { exact: true }).fill(password);
  if (account !== 'admin') {
    await p.getByText('admin — the console and everything else').click();
    await p.getByText(`${account} — `).click();
  }
  await p.getByRole('button', { name: 'Sign in' }).click();
}

const row = (id: string) => page.locator(`tr[data-task-id="${id}"]`);
const stateOf = (id: string) => row(id).getAttribute('data-state');

async function waitForState(id: string, states: string[]): Promise<string> {
  await expect.poll(async () => states.includes((await stateOf(id)) ?? ''), { timeout: 60_000, interval: 200 }).toBe(true);
  return (await stateOf(id))!;
}

/** Starts a self-test from the Tasks page and returns the new task's id (the newest row). */
async function startSelfTest(steps: number, seconds: number): Promise<string> {
  const before = new Set(await page.locator('tr[data-task-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-task-id'))));
  await page.getByRole('button', { name: 'Run self-test…' }).click();
  await page.getByLabel('Steps').fill(String(steps));
  await page.getByLabel('Seconds per step').fill(String(seconds));
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  let id: string | undefined;
  await expect
    .poll(async () => {
      const ids = await page.locator('tr[data-task-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-task-id')));
      id = ids.find((x): x is string => x !== null && !before.has(x));
      return id;
    }, { timeout: 30_000, interval: 200 })
    .toBeDefined();
  return id!;
}

beforeAll(async () => {
  ensureConsoleBuilt();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const setup = await runCli(['setup', '--data', dataDir, ...passwordFileArgs(passwords)]);
  expect(setup.code, setup.stderr).toBe(0);
  serve = await startServe(['--data', dataDir, '--port', '0']);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', locale: 'en-GB' });
  context.setDefaultTimeout(20_000);
  page = await context.newPage();
  page.on('console', (m) => {
    // Expected on purpose: the refused sign-in (401), svm-info for an unknown VM (404), the server
    // stopped mid-test (connection refused). Chromium logs each such answer as a console error.
    if (m.type() === 'error' && !/Failed to load resource.*(401|404|ERR_CONNECTION_REFUSED)/.test(m.text())) consoleProblems.push(m.text());
  });
  page.on('pageerror', (e) => consoleProblems.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  serve?.child.kill('SIGTERM');
  await serve?.exited;
});

describe('the Web Console in Chromium', () => {
  it('is served at / by lightkeeper serve, which names it in its startup lines', async () => {
    expect(serve.output()).toMatch(/Web Console\s+https:\/\/127\.0\.0\.1:\d+\/ \(sign in as admin or viewer\)/);
    const res = await page.goto(`${serve.url}/tasks`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("default-src 'self'");
    // Not signed in: the deep link goes to sign-in and remembers where it was going.
    await page.waitForURL(/\/connect\?next=%2Ftasks|\/connect\?next=\/tasks/);
  });

  it('says clearly that a wrong password is wrong', async () => {
    await signIn(page, 'admin', 'not-the-password');
    const error = page.locator('[data-sign-in-error]');
    await expect.poll(() => error.textContent(), { timeout: 15_000 }).toContain('The account name or password is wrong');
    await page.screenshot({ path: join(SCREENSHOTS, 'sign-in-wrong-password.png') });
  });

  it('signs in as admin and shows the dashboard with live updates on', async () => {
    await signIn(page, 'admin', passwords.admin);
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await expect.poll(() => page.locator('[data-live-state]').textContent(), { timeout: 15_000 }).toContain('Live');
    await expect.poll(() => page.locator('[data-server-version]').textContent()).toMatch(/\d+\.\d+\.\d+/);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard.png') });
  });

  it('runs a self-test task whose progress bar moves to Completed by server-sent events alone', async () => {
    // Keyboard: "g t" goes to Tasks.
    await page.keyboard.press('g');
    await page.keyboard.press('t');
    await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
    const listCalls: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/v1/tasks')) listCalls.push(r.url());
    });
    // Every value the bars take, recorded in the page itself, so a slow test machine misses none.
    await page.evaluate(`window.__progress = [];
      new MutationObserver((changes) => { for (const c of changes) window.__progress.push([c.target.closest('tr')?.getAttribute('data-task-id'), Number(c.target.getAttribute('aria-valuenow'))]); })
        .observe(document.body, { attributes: true, attributeFilter: ['aria-valuenow'], subtree: true });`);
    const id = await startSelfTest(5, 0.8);
    expect(await waitForState(id, ['Completed', 'Failed'])).toBe('Completed');
    expect(await row(id).locator('[role=progressbar]').getAttribute('aria-valuenow')).toBe('100');
    const seen = (await page.evaluate(`window.__progress.filter(([task]) => task === '${id}').map(([, value]) => value)`)) as number[];
    // The bar passed through values between 0 and 100, and the page never polled the task list.
    expect(seen.filter((v) => v > 0 && v < 100).length).toBeGreaterThan(1);
    expect(listCalls).toEqual([]);
  });

  it('cancels a running task after a confirmation', async () => {
    const id = await startSelfTest(60, 1);
    await waitForState(id, ['Running']);
    await row(id).getByRole('button', { name: `Cancel task ${id}` }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.textContent()).toContain('Cancel this task?');
    await page.screenshot({ path: join(SCREENSHOTS, 'tasks-cancel-confirmation.png') });
    await dialog.getByRole('button', { name: 'Cancel task', exact: true }).click();
    expect(await waitForState(id, ['Canceled'])).toBe('Canceled');
    await page.screenshot({ path: join(SCREENSHOTS, 'tasks.png') });
  });

  it('shows the error of a failed task in its details', async () => {
    await page.getByRole('button', { name: 'Run self-test…' }).click();
    await page.getByLabel('Steps').fill('3');
    await page.getByLabel('Seconds per step').fill('0');
    await page.getByLabel('Fail at step').fill('2');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    const failed = page.locator('tr[data-state="Failed"]').first();
    await failed.waitFor({ timeout: 30_000 });
    await failed.getByRole('button', { name: 'Details' }).click();
    const error = page.locator('[data-task-error]');
    await expect.poll(() => error.textContent()).toContain('Self-test step 2 failed on request.');
    await page.waitForTimeout(400); // the drawer's slide-in, for a screenshot that shows it whole
    await page.screenshot({ path: join(SCREENSHOTS, 'task-details-failed.png') });
    await page.keyboard.press('Escape');
  });

  it("shows the server's certificate fingerprint in settings, the same one serve printed", async () => {
    await page.keyboard.press('g');
    await page.keyboard.press('s');
    const fingerprint = page.locator('[data-fingerprint]');
    await expect.poll(() => fingerprint.textContent(), { timeout: 15_000 }).toBe(serve.fingerprint);
    await expect.poll(() => page.getByText('Not set').count()).toBe(0);
    // No Administration Server in this test: the card says what that breaks and how to connect one.
    await page.getByText('Complete tenants get a virtual Administration Server').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'settings.png'), fullPage: true });
  });

  it('creates a Simple tenant and activates it, saying first what happens to its VMs', async () => {
    await page.keyboard.press('g');
    await page.keyboard.press('n');
    await page.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();
    await page.getByText('No tenants yet').waitFor();
    await page.getByRole('button', { name: 'New tenant…' }).click();
    await page.getByLabel('Tenant name').fill('Acme Simple');
    await page.getByText('Simple', { exact: true }).click();
    await page.getByRole('button', { name: 'Create tenant' }).click();
    const acme = page.locator('tr[data-tenant="Acme Simple"]');
    await acme.waitFor({ timeout: 30_000 });
    await acme.getByRole('button', { name: 'Activate…' }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.textContent()).toContain('is a Simple tenant: its status is a label');
    await dialog.getByRole('button', { name: 'Activate', exact: true }).click();
    await expect.poll(() => acme.getAttribute('data-status'), { timeout: 30_000 }).toBe('Active');
    await page.screenshot({ path: join(SCREENSHOTS, 'tenants.png') });
    await acme.getByRole('button', { name: 'VMs' }).click();
    await page.getByText('No VMs are registered for this tenant').waitFor();
    await page.getByLabel('VM BIOS UUID').fill('4c4c4544-0042-3010-8052-b4c04f4e4d31');
    await page.getByLabel('VM name', { exact: true }).fill('web-01');
    await page.getByRole('button', { name: 'Register VM' }).click();
    await page.getByRole('cell', { name: '4c4c4544-0042-3010-8052-b4c04f4e4d31' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'tenant-vms.png') });
    await page.keyboard.press('Escape');
  });

  it('explains why diagnostics knows nothing of a VM whose agent never asked', async () => {
    await page.keyboard.press('g');
    await page.keyboard.press('i');
    await page.getByLabel('VM BIOS UUID or name').fill('web-01');
    await page.getByRole('button', { name: 'Explain' }).click();
    await expect.poll(() => page.locator('[data-diagnostics-error]').textContent()).toContain("No Light Agent with BIOS UUID or VM name 'web-01' has asked");
  });

  it('records the tenant change in the audit log', async () => {
    await page.keyboard.press('g');
    await page.keyboard.press('a');
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.getByText('tenant.create').first().waitFor();
  });

  it('shows protected time, and switches collecting on when it is off', async () => {
    await page.keyboard.press('g');
    await page.keyboard.press('r');
    await page.getByRole('heading', { name: 'Protected time', level: 1 }).waitFor();
    const off = page.getByText('Protection reports are switched off');
    if (await off.count()) {
      await page.getByRole('button', { name: 'Switch on' }).click();
      await off.waitFor({ state: 'detached' });
    }
    await page.getByText('No protected time in this period').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'reports.png') });
  });

  it('says how to add a hypervisor connection while there is none', async () => {
    await page.getByRole('link', { name: 'Infrastructures', exact: true }).click();
    await page.getByRole('heading', { name: 'Infrastructures', level: 1 }).waitFor();
    await page.getByText('No hypervisor connections yet').waitFor();
  });

  it('shows a banner when the server goes away and recovers when it is back', async () => {
    await page.keyboard.press('g');
    await page.keyboard.press('d');
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    const port = new URL(serve.url).port;
    serve.child.kill('SIGTERM');
    await serve.exited;
    await page.getByText('Connection to the server lost — reconnecting').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'connection-lost.png') });
    serve = await startServe(['--data', dataDir, '--port', port]);
    await page.getByText('Connection to the server lost — reconnecting').waitFor({ state: 'detached', timeout: 60_000 });
    await expect.poll(() => page.locator('[data-live-state]').textContent()).toContain('Live');
  });

  it('follows a dark OS theme', async () => {
    const dark = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
    const p = await dark.newPage();
    await signIn(p, 'viewer', passwords.viewer);
    await p.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    const [r, g, b] = (await p.locator('body').evaluate((b) => b.ownerDocument.defaultView!.getComputedStyle(b).backgroundColor)).match(/\d+/g)!.map(Number);
    expect(r! + g! + b!).toBeLessThan(150);
    await p.goto(`${serve.url}/tasks`);
    await p.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
    // viewer is read-only: no button that would only earn a 403.
    expect(await p.getByRole('button', { name: 'Run self-test…' }).count()).toBe(0);
    await p.locator('tr[data-task-id]').first().waitFor();
    await p.screenshot({ path: join(SCREENSHOTS, 'tasks-dark-viewer.png') });
    await dark.close();
  });

  it('ran without a script error or a Content-Security-Policy violation', () => {
    expect(consoleProblems).toEqual([]);
  });
});
