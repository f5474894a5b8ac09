// An administrator's day against a real `lightkeeper lab` (embedded server, SVM and Light Agent
// simulators, Administration Server simulator), in Debian's Chromium: agents protected on the
// dashboard, a new Complete tenant with its virtual Administration Server, a tenant deactivated
// (its agents held off, svm-info says why) and reactivated, and the protected-time report
// downloaded as CSV. First run and the SVM Management Wizard have their own files.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ensureConsoleBuilt, launchChromium, SCREENSHOTS } from '../support/console-browser.ts';
import { passwordFileArgs, startLab, tempDir, testPasswords, type ServeProcess } from '../support/lightkeeper-process.ts';

const AGENTS = 40;
// Two tenants: the lab gives even-numbered agents (lab-vm-00001, -00003, …) to tenant-1, Complete.
const TENANT_1_VMS = AGENTS / 2;
const passwords = testPasswords('journey');
let lab: ServeProcess;
let labStartedAt: number;
let browser: Browser;
let page: Page;
const problems: string[] = [];

const go = async (keys: string, heading: string) => {
  await page.keyboard.press('g');
  await page.keyboard.press(keys);
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
};
/** The dashboard's "Protected VMs" card, as the administrator reads it. */
const protectedCard = () => page.locator('.n-card', { hasText: 'Protected VMs' }).textContent();
const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `lab-${name}.png`), fullPage: true });

beforeAll(async () => {
  ensureConsoleBuilt();
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Speed 60: SVMs report every 5 s and agents ask again every 5 s.
  labStartedAt = Date.now();
  lab = await startLab(['--svms', '4', '--agents', String(AGENTS), '--tenants', '2', '--hypervisors', '2', '--speed', '60', '--port', '0', '--data', tempDir('lk-journey-'), ...passwordFileArgs(passwords)]);
  await lab.waitFor(/Tenants\s+.*: created, VMs registered, activated/);
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light', locale: 'en-GB', acceptDownloads: true });
  context.setDefaultTimeout(30_000);
  page = await context.newPage();
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  await page.goto(`${lab.url}/`);
  await page.getByLabel('Password', { exact: true }).fill(passwords.admin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  lab?.child.kill('SIGTERM');
  await lab?.exited;
});

describe('a day with the lab', () => {
  it('shows every lab agent connected to a reporting SVM on the dashboard, none held off', async () => {
    await expect.poll(protectedCard, { timeout: 60_000, interval: 250 }).toMatch(new RegExp(`${AGENTS} / ${AGENTS}.*0 unprotected · 0 held off`));
    await expect.poll(() => page.locator('.n-card', { hasText: 'stale (silent for 3 intervals' }).textContent()).toMatch(/Reporting\s*4\s*0 stale/);
    await shot('dashboard');
  });

  it('creates a Complete tenant, whose virtual Administration Server the simulator makes, and registers a VM to it', async () => {
    await go('n', 'Tenants');
    await page.getByRole('button', { name: 'New tenant…' }).click();
    await page.getByLabel('Tenant name').fill('Journey Ltd');
    await page.getByRole('dialog').getByText('Complete', { exact: true }).click();
    await page.getByLabel('Administrator name').fill('journey-admin');
    await page.getByLabel('Administrator password').fill('Journey-Adm1n!');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    const row = page.locator('tr[data-tenant="Journey Ltd"]');
    await row.waitFor({ timeout: 60_000 });
    await expect.poll(() => row.textContent(), { timeout: 60_000 }).toContain('journey-admin');
    await row.getByRole('button', { name: 'VMs' }).click();
    await page.getByLabel('VM BIOS UUID').fill('4c4c4544-0042-3010-8052-b4c04f4e4d32');
    await page.getByLabel('VM name', { exact: true }).fill('journey-web-01');
    await page.getByRole('button', { name: 'Register VM' }).click();
    await page.getByRole('cell', { name: '4c4c4544-0042-3010-8052-b4c04f4e4d32' }).waitFor();
    await page.keyboard.press('Escape');
    await shot('tenants');
  });

  it('deactivates tenant-1 after saying what happens, and its agents are held off on the dashboard', async () => {
    const row = page.locator('tr[data-tenant="tenant-1"]');
    await row.getByRole('button', { name: 'Deactivate…' }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.textContent()).toContain(`The ${TENANT_1_VMS} registered VMs of tenant-1 lose protection`);
    await dialog.getByRole('button', { name: 'Deactivate', exact: true }).click();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 60_000 }).toBe('Inactive');
    await go('d', 'Dashboard');
    await expect.poll(protectedCard, { timeout: 60_000, interval: 250 }).toMatch(new RegExp(`${TENANT_1_VMS} unprotected · ${TENANT_1_VMS} held off`));
    await shot('dashboard-tenant-inactive');
  });

  it('explains in diagnostics why a VM of the inactive tenant gets no SVM', async () => {
    await go('i', 'Diagnostics');
    await page.getByLabel('VM BIOS UUID or name').fill('lab-vm-00001');
    await page.getByRole('button', { name: 'Explain' }).click();
    await expect.poll(() => page.locator('[data-verdict]').textContent()).toContain('lab-vm-00001 belongs to an inactive Complete tenant');
    await shot('diagnostics-inactive-tenant');
  });

  it('reactivates tenant-1, and every agent is protected again', async () => {
    await go('n', 'Tenants');
    const row = page.locator('tr[data-tenant="tenant-1"]');
    await row.getByRole('button', { name: 'Activate…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Activate', exact: true }).click();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 60_000 }).toBe('Active');
    await go('d', 'Dashboard');
    await expect.poll(protectedCard, { timeout: 60_000, interval: 250 }).toMatch(new RegExp(`${AGENTS} / ${AGENTS}.*0 unprotected · 0 held off`));
    // The bill so far, per day and tenant, on the first page.
    await page.locator('.n-card', { hasText: 'Protected VM-hours, last 14 days' }).getByRole('img', { name: 'Protected VM-hours per step and tenant' }).waitFor();
    await go('i', 'Diagnostics');
    await page.getByLabel('VM BIOS UUID or name').fill('lab-vm-00001');
    await page.getByRole('button', { name: 'Explain' }).click();
    await expect.poll(() => page.locator('[data-verdict]').textContent()).toMatch(/lab-vm-00001 should use lab-svm-\d+/);
  });

  it('shows protected time per tenant and downloads it as CSV', async () => {
    await go('r', 'Protected time');
    await page.getByText('Per hour', { exact: true }).click();
    await page.getByRole('button', { name: 'Show' }).click();
    const tenant1 = page.getByRole('row', { name: /tenant-1/ });
    await tenant1.waitFor();
    await shot('reports');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('protected-time-hour.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    // Hours per tenant, summed over the steps: never more than its 20 VMs for as long as the lab has
    // run, and tenant-1, held off for a while, has less than tenant-2.
    const hours = new Map<string, number>();
    for (const [, tenant, , vmHours] of (parse(csv, { delimiter: ';', record_delimiter: '\r\n' }) as string[][]).slice(1)) {
      hours.set(tenant!, (hours.get(tenant!) ?? 0) + Number(vmHours));
    }
    const most = (TENANT_1_VMS * (Date.now() - labStartedAt)) / 3_600_000;
    expect(hours.get('tenant-1')).toBeGreaterThan(0);
    expect(hours.get('tenant-2')).toBeLessThanOrEqual(most);
    expect(hours.get('tenant-1')).toBeLessThan(hours.get('tenant-2')!);
  });

  it("makes the vendor's protection report for one tenant in a task and downloads it", async () => {
    await page.getByLabel('Tenant of the report').click();
    await page.keyboard.type('tenant-1');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.n-card', { hasText: 'Protection report' }).textContent()).toContain('tenant-1');
    await page.getByRole('button', { name: 'Make report' }).click();
    const button = page.getByRole('button', { name: 'Download report' });
    await button.waitFor({ timeout: 60_000 });
    await shot('vendor-report');
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toMatch(/^protection-report-[\w-]+\.csv$/);
    const lines = parse(readFileSync((await download.path())!, 'utf8'), { delimiter: ';', record_delimiter: '\r\n' }) as string[][];
    // tenant id; tenant name; VM BIOS UUID; VM name; protection on; protection off.
    expect(lines.length).toBeGreaterThanOrEqual(TENANT_1_VMS);
    expect(new Set(lines.map((l) => l[1]))).toEqual(new Set(['tenant-1']));
    expect(lines.map((l) => l[3])).toContain('lab-vm-00001');
  });

  it('logged no error in the page', () => {
    expect(problems).toEqual([]);
  });
});
