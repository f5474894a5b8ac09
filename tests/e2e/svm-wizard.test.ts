// The SVM Management Wizard end to end, on the lab's real peers: a server on a real TLS port
// serving the built console, Debian's Chromium, the KVM host (OpenSSH sshd + libvirtd + QEMU)
// added as an infrastructure through the form with its host key shown and pinned, an SVM image
// imported through the page, and a deployment run through every step of the wizard with its
// pre-flight and live progress until the task completes — then removed again through the wizard.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { SshSession, shellQuote } from '../../main/connectors/ssh/ssh-session.ts';
import { startKscSimulator, type KscSimulator } from '../../main/lab/ksc/index.ts';
import { labAddressSource } from '../../main/lab/svm/lab-address-source.ts';
import { labResults, startLabSvmHost, type LabSvmHost } from '../../main/lab/svm/lab-svm-host.ts';
import { loadPeersEnv } from '../lab/peers-env.ts';
import { ensureConsoleBuilt, launchChromium, SCREENSHOTS } from '../support/console-browser.ts';
import { inProcessServer } from '../support/in-process-server.ts';

const env = loadPeersEnv('ssh', 'svm', 'libvirt', 'chromium');
const root = fileURLToPath(new URL('../..', import.meta.url));
const prefix = `lk-e2e-wiz-${process.pid}`;
const svmName = `${prefix}-svm1`;
const imageDir = `${env.get('LK_KVM_IMAGE_DIR')}/${prefix}`;
const work = mkdtempSync(join(tmpdir(), 'lk-e2e-wizard-'));
const imagePath = join(work, 'ksv-la-svm-6.2.0.qcow2');

let lab: Awaited<ReturnType<typeof inProcessServer>>;
let svmHost: LabSvmHost;
let source: ReturnType<typeof labAddressSource>;
let kvm: SshSession;
let ksc: KscSimulator;
let url: string;
let browser: Browser;
let page: Page;
const problems: string[] = [];

const virsh = async (args: string) => (await kvm.exec(`virsh -q -c ${shellQuote(env.get('LK_LIBVIRT_URI'))} ${args}`)).stdout;
const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `svm-wizard-${name}.png`), fullPage: true });
const card = () => page.locator('[data-step]');
/** Serious and critical axe-core findings (WCAG 2.x A/AA and best practices) on what the page shows now. */
const a11yFindings: string[] = [];
async function checkA11y(where: string): Promise<void> {
  // A toast still fading in or out has a contrast of its current opacity: check when none is showing.
  await expect.poll(() => page.locator('.n-message').count(), { timeout: 15_000 }).toBe(0);
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']).analyze();
  for (const v of result.violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) {
    a11yFindings.push(`${where}: [${v.impact}] ${v.id} — ${v.help}\n    ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n    ')}`);
  }
}
const stepIs = (step: string) => page.locator(`[data-step="${step}"]`).waitFor();

beforeAll(async () => {
  ensureConsoleBuilt();
  mkdirSync(SCREENSHOTS, { recursive: true });
  chmodSync(work, 0o755);
  // A small qcow2 SVM image with the metadata file the vendor's images carry.
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', imagePath, '64M']);
  writeFileSync(join(work, 'ksv-la-svm-6.2.0.json'), JSON.stringify({ product: 'Lab SVM', version: '6.2.0.70' }));
  // The lab SVMs: one sshd whose klconfig account runs the simulator, on several loopback addresses.
  ksc = await startKscSimulator({ port: 0, user: 'ksc-operator', password: 'Ksc-Operator-S3cret!' });
  svmHost = await startLabSvmHost({ dir: join(work, 'svms'), count: 2, user: env.get('LK_SVM_USER') });
  lab = await inProcessServer({ consoleDir: join(root, 'renderer/dist'), host: '127.0.0.1' });
  source = labAddressSource(svmHost);
  lab.server.services.svmLifecycle.setAddressSource(source, { pollMs: 200, timeoutMs: 90_000 });
  url = (await lab.server.start()).url;
  kvm = await SshSession.connect({ host: env.get('LK_SSH_HOST'), port: env.num('LK_SSH_PORT'), username: env.get('LK_SSH_USER'), auth: { password: env.get('LK_SSH_PASSWORD') }, hostKeyFingerprint: env.get('LK_SSH_HOST_KEY_FINGERPRINT') });
  await kvm.exec(`mkdir -p ${shellQuote(imageDir)}`);
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, colorScheme: 'light', locale: 'en-GB' });
  context.setDefaultTimeout(30_000);
  page = await context.newPage();
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    // Expected on purpose: the import of a missing file is refused (400), which Chromium logs as an error.
    if (m.type() === 'error' && !/Failed to load resource.*400/.test(m.text())) problems.push(m.text());
  });
});

afterAll(async () => {
  await browser?.close();
  if (kvm) {
    for (const name of (await virsh('list --all --name')).split('\n').filter((n) => n.startsWith(prefix))) {
      await virsh(`destroy ${name}`).catch(() => undefined);
      await virsh(`undefine ${name}`).catch(() => undefined);
    }
    await kvm.exec(`rm -rf ${shellQuote(imageDir)}`).catch(() => undefined);
    kvm.dispose();
  }
  await lab?.server.stop();
  await svmHost?.stop();
  await ksc?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('the SVM Management Wizard in Chromium, on the lab KVM host', () => {
  it('signs in and names the missing prerequisite while there is no infrastructure', async () => {
    await page.goto(`${url}/`);
    await page.getByText('Sign in to Lightkeeper', { exact: true }).waitFor();
    await page.getByLabel('Password', { exact: true }).fill(lab.passwords.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'SVM Wizard', exact: true }).click();
    await page.getByRole('heading', { name: 'SVM Management Wizard', level: 1 }).waitFor();
    await stepIs('action');
    await page.getByRole('button', { name: 'Next' }).click();
    await stepIs('infrastructure');
    const empty = page.locator('[data-empty="infrastructure"]');
    await expect.poll(() => empty.textContent()).toContain('No infrastructure yet');
    await expect.poll(() => empty.textContent()).toContain('Infrastructures page');
    // Going on without one says what is missing.
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => page.locator('[data-step-problem]').textContent()).toContain('Choose the infrastructure');
    await shot('no-infrastructure');
    await checkA11y('wizard, no infrastructure');
  });

  it('adds the KVM host through the form: shows its host key, pins it only when confirmed, and never shows the key back', async () => {
    await page.locator('[data-empty="infrastructure"]').getByRole('link', { name: 'Infrastructures page' }).click();
    await page.getByRole('heading', { name: 'Infrastructures', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Add connection…' }).click();
    const dialog = page.locator('[data-add-connection]');
    const key = readFileSync(env.get('LK_SSH_USER_KEY'), 'utf8');
    await dialog.getByLabel('Connection name').fill('Lab KVM');
    await dialog.getByLabel('Address').fill(env.get('LK_SSH_HOST'));
    await dialog.getByLabel('Port').fill(String(env.num('LK_SSH_PORT')));
    await dialog.getByLabel('Account').fill(env.get('LK_SSH_USER'));
    await dialog.getByText('Private key', { exact: true }).click();
    await dialog.locator('textarea[aria-label="Private key"]').fill(key);
    await dialog.getByLabel('libvirt URI').fill(env.get('LK_LIBVIRT_URI'));
    await dialog.getByLabel('Folder for SVM disks on the host').fill(imageDir);
    // Enter in a field submits the step: the host key is shown, nothing is stored yet.
    await dialog.getByLabel('Connection name').press('Enter');
    const presented = dialog.locator('[data-presented-fingerprint]');
    await expect.poll(() => presented.textContent(), { timeout: 30_000 }).toBe(env.get('LK_SSH_HOST_KEY_FINGERPRINT'));
    expect((await lab.server.services.svmLifecycle.infrastructures.list()).length).toBe(0);
    await shot('host-key');
    await checkA11y('add connection, host key shown');
    await dialog.getByRole('button', { name: 'Pin and add connection' }).click();
    const row = page.locator('tr[data-infrastructure="Lab KVM"]');
    await row.waitFor();
    expect(await row.textContent()).toContain(env.get('LK_SSH_HOST_KEY_FINGERPRINT'));
    expect(await page.content()).not.toContain('PRIVATE KEY');
    const [stored] = await lab.server.services.svmLifecycle.infrastructures.list();
    expect(stored).toMatchObject({ name: 'Lab KVM', platform: 'kvm', fingerprint: env.get('LK_SSH_HOST_KEY_FINGERPRINT'), credentialKind: 'privateKey' });

    await row.getByRole('button', { name: 'Test Lab KVM' }).click();
    const verdict = page.locator('[data-test-verdict]');
    await expect.poll(() => verdict.textContent(), { timeout: 60_000 }).toContain('Everything needed to deploy SVMs works.');
    await shot('infrastructure-test');
    await checkA11y('connection test');
    await page.keyboard.press('Escape');
    await verdict.waitFor({ state: 'detached' });
    // Re-pin asks the host again; an unchanged key changes nothing.
    await row.getByRole('button', { name: 'Re-pin Lab KVM' }).click();
    await page.getByText('still presents the pinned identity; nothing to change').waitFor();
  });

  it('imports the SVM image through the page, uploaded from this computer, its SHA-256 checked', async () => {
    await page.getByRole('button', { name: 'Import image…' }).click();
    const dialog = page.locator('[data-import-image]');
    // A path on the server is the other way in; a wrong one is refused with the reason.
    await dialog.getByText('A file on the server').click();
    await dialog.getByLabel('Image path').fill(join(work, 'missing.qcow2'));
    await dialog.getByLabel('Image path').press('Enter');
    await expect.poll(() => dialog.locator('[data-import-problem]').textContent()).toContain('no such file');
    await dialog.getByText('Upload from this computer').click();
    await dialog.getByRole('button', { name: 'Import image', exact: true }).click();
    await expect.poll(() => dialog.locator('[data-import-problem]').textContent()).toContain('Choose the .qcow2 image file');
    // An OVA is named for what it is as soon as it is chosen, before a byte is sent.
    const ova = Buffer.alloc(4096);
    ova.write('ksv-la-svm-6.2.ovf\0', 0, 'latin1');
    ova.write('ustar', 257, 'latin1');
    await dialog.getByLabel('Image file').setInputFiles({ name: 'ksv-la-svm-6.2.ova', mimeType: 'application/octet-stream', buffer: ova });
    await expect.poll(() => dialog.locator('[data-import-problem]').textContent()).toContain('ksv-la-svm-6.2.ova is an OVA package');
    await dialog.getByLabel('Image file').setInputFiles(imagePath);
    await dialog.locator('[data-import-problem]').waitFor({ state: 'detached' });
    // An upload has no metadata file beside it: the administrator gives the version.
    await dialog.getByLabel('Image version').fill('6.2.0.70');
    await shot('import-image-upload');
    await checkA11y('the image upload dialog');
    await dialog.getByLabel('Factory configuration password').fill(env.get('LK_SVM_PASSWORD'));
    await dialog.getByRole('button', { name: 'Import image', exact: true }).click();
    const row = page.locator('tr[data-image="ksv-la-svm-6.2.0.qcow2"]');
    await row.waitFor({ timeout: 60_000 });
    expect(await row.textContent()).toContain('6.2.0.70');
    expect(await page.content()).not.toContain(env.get('LK_SVM_PASSWORD'));
    await shot('infrastructures');
    await checkA11y('infrastructures with a connection and an image');
  });

  it('connects the Administration Server in Settings: certificate shown, pinned only when confirmed, password never shown back', async () => {
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    const kscCard = page.locator('[data-ksc-card]');
    await kscCard.getByText('Complete tenants get a virtual Administration Server').waitFor();
    await kscCard.getByRole('button', { name: 'Connect…' }).click();
    // Escape leaves the form without storing anything.
    await kscCard.getByLabel('Administration Server address').fill('127.0.0.1');
    await kscCard.getByLabel('Administration Server address').press('Escape');
    await kscCard.locator('[data-ksc-form]').waitFor({ state: 'detached' });
    await kscCard.getByRole('button', { name: 'Connect…' }).click();
    await kscCard.getByLabel('Administration Server address').fill('127.0.0.1');
    await kscCard.getByLabel('Administration Server port').fill(String(ksc.port));
    await kscCard.getByLabel('Administration Server account').fill('ksc-operator');
    await kscCard.getByLabel('Administration Server password').fill('Ksc-Operator-S3cret!');
    await kscCard.getByLabel('Administration Server password').press('Enter');
    await expect.poll(() => kscCard.locator('[data-ksc-presented]').textContent(), { timeout: 30_000 }).toBe(ksc.fingerprint);
    expect((await lab.server.services.ksc.view()).configured).toBe(false);
    await shot('ksc-certificate');
    await checkA11y('settings, Administration Server certificate');
    await kscCard.getByRole('button', { name: 'Pin and save' }).click();
    await expect.poll(() => kscCard.locator('[data-ksc-address]').textContent()).toBe(`127.0.0.1:${ksc.port}`);
    expect(await lab.server.services.ksc.view()).toMatchObject({ configured: true, user: 'ksc-operator', pinnedFingerprint: ksc.fingerprint, passwordSet: true });
    await kscCard.getByRole('button', { name: 'Test the connection' }).click();
    await kscCard.locator('[data-ksc-test]').waitFor({ timeout: 30_000 });
    expect(await kscCard.locator('[data-ksc-test]').textContent()).toContain('OK');
    expect(await page.content()).not.toContain('Ksc-Operator-S3cret!');
    await shot('ksc-connected');
  });

  it('deploys an SVM through every step: a failed pre-flight says how to fix it, a passing one lets it start, and the progress is live until Completed', async () => {
    await page.getByRole('link', { name: 'SVM Wizard', exact: true }).click();
    await page.getByRole('heading', { name: 'SVM Management Wizard', level: 1 }).waitFor();
    // The wizard kept its place (the infrastructure step); a finished step is a link back to it.
    expect(await card().getAttribute('data-step')).toBe('infrastructure');
    await page.locator('.n-step', { hasText: 'Action' }).click();
    await stepIs('action');
    await page.getByText('Deploy SVMs', { exact: true }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await stepIs('infrastructure');
    await page.getByText('Lab KVM', { exact: true }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await stepIs('image');
    await page.getByText('ksv-la-svm-6.2.0.qcow2', { exact: true }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await stepIs('settings');
    await page.getByLabel('SVM 1 name').fill(svmName);
    await page.getByLabel('SVM 1 vCPUs').fill('1');
    await page.getByLabel('SVM 1 RAM').fill('64');
    await page.getByLabel('Time zone').fill('Europe/Berlin');
    await page.getByLabel('DNS servers').fill('192.0.2.53');
    await page.getByLabel('DNS search domains').fill('lab.example.com');
    await shot('settings');
    await checkA11y('wizard, SVM settings');
    await page.getByLabel('SVM 1 name').press('Enter');
    await stepIs('connection');
    await page.getByLabel('Administration Server address').fill('192.0.2.10');
    await page.getByLabel('Root password').fill('no spaces allowed');
    await page.getByLabel('Configuration password').fill('Config-pass-1');
    await page.getByLabel('Configuration password').press('Enter');
    await stepIs('preflight');

    // A password outside the rule: the pre-flight fails that check, says how to fix it, and Start stays off.
    await page.getByRole('button', { name: 'Run the pre-flight', exact: true }).click();
    const verdict = page.locator('[data-preflight-verdict]');
    await expect.poll(() => verdict.getAttribute('data-ok'), { timeout: 90_000 }).toBe('false');
    const rootCheck = page.locator('[data-check="password:root"]');
    expect(await rootCheck.getAttribute('data-result')).toBe('failed');
    expect(await rootCheck.textContent()).toContain('How to fix');
    expect(await page.locator('[data-check="host-key"]').getAttribute('data-result')).toBe('ok');
    expect(await page.getByRole('button', { name: 'Start deployment' }).isDisabled()).toBe(true);
    await shot('preflight-failed');
    await checkA11y('wizard, failed pre-flight');

    await page.getByRole('button', { name: 'Back' }).click();
    await stepIs('connection');
    // The passwords are still in the form (not yet started), never shown as text.
    await page.getByLabel('Root password').fill('Root-pass-1');
    await page.getByRole('button', { name: 'Next' }).click();
    await stepIs('preflight');
    expect(await page.locator('[data-summary]').textContent()).toContain(svmName);
    await page.getByRole('button', { name: 'Run the pre-flight', exact: true }).click();
    await expect.poll(() => verdict.getAttribute('data-ok'), { timeout: 90_000 }).toBe('true');
    for (const id of ['password:root', 'password:config', 'image', 'host-key', 'name-free', 'free-space']) {
      expect(await page.locator(`[data-check="${id}"]`).first().getAttribute('data-result'), id).not.toBe('failed');
    }
    await shot('preflight-passed');

    // Every value the progress bars take, recorded in the page itself, so a loaded machine misses none.
    await page.evaluate(`window.__progress = [];
      new MutationObserver((changes) => { for (const c of changes) window.__progress.push(Number(c.target.getAttribute('aria-valuenow'))); })
        .observe(document.body, { attributes: true, attributeFilter: ['aria-valuenow'], subtree: true });`);
    const taskCalls: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/v1/tasks')) taskCalls.push(r.url());
    });
    await page.getByRole('button', { name: 'Start deployment' }).click();
    await stepIs('progress');
    await page.locator('[data-run-progress] [role=progressbar]').waitFor();
    await shot('progress');
    const result = page.locator('[data-run-result]');
    await result.waitFor({ timeout: 240_000 });
    const state = await result.getAttribute('data-run-result');
    expect(state, (await result.textContent()) ?? '').toBe('Completed');
    expect(await page.locator('[data-run-progress] [role=progressbar]').getAttribute('aria-valuenow')).toBe('100');
    const seen = (await page.evaluate('window.__progress')) as number[];
    expect(seen.filter((v) => v > 0 && v < 100).length).toBeGreaterThan(0);
    // The progress came over the live channel: the page never polled the task list.
    expect(taskCalls).toEqual([]);
    await page.locator('[data-deployed-svms]').getByText(svmName).waitFor();
    await shot('completed');
    await checkA11y('wizard, completed run');

    // The SVM is real: a running libvirt domain, configured over klconfig with what the wizard collected.
    expect((await virsh(`domstate ${svmName}`)).trim()).toBe('running');
    const results = labResults(svmHost, source.addressOf(svmName)!);
    expect(results.every((r) => r.result === 'OK'), JSON.stringify(results)).toBe(true);
    expect(results.find((r) => r.command === 'nagent')!.args).toEqual(['192.0.2.10', '13000', '14000']);
    expect(results.find((r) => r.command === 'timezone')!.args).toEqual(['Europe/Berlin']);
    // The passwords went to the SVM and were forgotten by the console.
    expect(await page.content()).not.toContain('Root-pass-1');
  }, 300_000);

  it('reconfigures the time zone of the SVM through the wizard, following the run across a reload, and the SVM gets it over klconfig', async () => {
    await page.getByRole('button', { name: 'Start another run' }).click();
    await stepIs('action');
    await page.getByText('Reconfigure SVMs', { exact: true }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await stepIs('svms');
    await page.locator('tr', { hasText: svmName }).locator('.n-checkbox').click();
    await page.getByRole('button', { name: 'Next' }).click();
    await stepIs('changes');
    await page.getByLabel('Time zone').fill('UTC');
    await page.getByLabel('Time zone').press('Enter');
    await stepIs('preflight');
    await page.getByRole('button', { name: 'Run the pre-flight', exact: true }).click();
    await expect.poll(() => page.locator('[data-preflight-verdict]').getAttribute('data-ok'), { timeout: 90_000 }).toBe('true');
    await page.getByRole('button', { name: 'Start reconfiguration' }).click();
    await stepIs('progress');
    // A reload in the middle of the run: the tab follows the same task again.
    await page.reload();
    await page.getByRole('heading', { name: 'SVM Management Wizard', level: 1 }).waitFor();
    await stepIs('progress');
    const result = page.locator('[data-run-result]');
    await result.waitFor({ timeout: 240_000 });
    expect(await result.getAttribute('data-run-result'), (await result.textContent()) ?? '').toBe('Completed');
    const timezones = labResults(svmHost, source.addressOf(svmName)!).filter((r) => r.command === 'timezone');
    expect(timezones.at(-1)).toMatchObject({ args: ['UTC'], result: 'OK' });
  }, 300_000);

  it('removes the SVM again through the wizard, and the host no longer has it', async () => {
    await page.getByRole('button', { name: 'Start another run' }).click();
    await stepIs('action');
    await page.getByText('Remove SVMs', { exact: true }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await stepIs('svms');
    await page.locator('tr', { hasText: svmName }).locator('.n-checkbox').click();
    await page.getByRole('button', { name: 'Next' }).click();
    await stepIs('preflight');
    await page.getByRole('button', { name: 'Run the pre-flight', exact: true }).click();
    await expect.poll(() => page.locator('[data-preflight-verdict]').getAttribute('data-ok'), { timeout: 90_000 }).toBe('true');
    await page.getByRole('button', { name: 'Start removal' }).click();
    const result = page.locator('[data-run-result]');
    await result.waitFor({ timeout: 240_000 });
    expect(await result.getAttribute('data-run-result'), (await result.textContent()) ?? '').toBe('Completed');
    await shot('removed');
    expect((await virsh('list --all --name')).split('\n')).not.toContain(svmName);
    expect(await lab.server.services.svmLifecycle.listSvms()).toEqual([]);
  }, 300_000);

  it('cancels a deployment after a confirmation: the run ends Canceled and the host holds no trace of it', async () => {
    const second = `${prefix}-svm2`;
    await page.getByRole('button', { name: 'Start another run' }).click();
    await stepIs('action');
    await page.getByText('Deploy SVMs', { exact: true }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await stepIs('infrastructure');
    await page.getByRole('button', { name: 'Next' }).click();
    await stepIs('image');
    await page.getByRole('button', { name: 'Next' }).click();
    await stepIs('settings');
    await page.getByLabel('SVM 1 name').fill(second);
    await page.getByRole('button', { name: 'Next' }).click();
    await stepIs('connection');
    // The passwords of the last run were forgotten when it started.
    expect(await page.getByLabel('Root password').inputValue()).toBe('');
    await page.getByLabel('Root password').fill('Root-pass-1');
    await page.getByLabel('Configuration password').fill('Config-pass-1');
    await page.getByRole('button', { name: 'Next' }).click();
    await stepIs('preflight');
    await page.getByRole('button', { name: 'Run the pre-flight', exact: true }).click();
    await expect.poll(() => page.locator('[data-preflight-verdict]').getAttribute('data-ok'), { timeout: 90_000 }).toBe('true');
    await page.getByRole('button', { name: 'Start deployment' }).click();
    await page.getByRole('button', { name: 'Cancel run…' }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.textContent()).toContain('Cancel this run?');
    await shot('cancel-confirmation');
    await dialog.getByRole('button', { name: 'Cancel run', exact: true }).click();
    const result = page.locator('[data-run-result]');
    await result.waitFor({ timeout: 240_000 });
    expect(await result.getAttribute('data-run-result')).toBe('Canceled');
    expect(await result.textContent()).toContain('rolled back');
    await shot('canceled');
    await checkA11y('wizard, canceled run');
    expect((await virsh('list --all --name')).split('\n')).not.toContain(second);
    expect(await lab.server.services.svmLifecycle.listSvms()).toEqual([]);
  }, 300_000);

  it('deletes the image and removes the connection, each after a confirmation', async () => {
    await page.keyboard.press('g');
    await page.keyboard.press('h');
    await page.getByRole('heading', { name: 'Infrastructures', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Delete image ksv-la-svm-6.2.0.qcow2' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete image', exact: true }).click();
    await page.locator('tr[data-image]').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Remove Lab KVM' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove connection', exact: true }).click();
    await page.locator('tr[data-infrastructure]').waitFor({ state: 'detached' });
    await page.getByText('No hypervisor connections yet').waitFor();
    expect(await lab.server.services.svmLifecycle.infrastructures.list()).toEqual([]);
    expect(await lab.server.services.svmLifecycle.images.list()).toEqual([]);
  });

  it('logged no errors in the page', () => {
    expect(problems).toEqual([]);
  });

  it('has no serious or critical accessibility finding on any step, dialog or result it showed', () => {
    expect(a11yFindings.join('\n')).toBe('');
  });
});
