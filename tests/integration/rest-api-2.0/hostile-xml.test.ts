import { isIP } from 'node:net';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64, parseXml, simpleTenantXml, startVendorLab, tenantIdOf, type VendorLab } from './vendor-lab.ts';

/**
 * Generated malformed and hostile bodies (issue 5 item 8): each case carries at least one defect
 * by construction, so every answer must be a 4xx with an XML error, the server must keep serving,
 * and nothing stored may change.
 */
let lab: VendorLab;
let tenantId = '';

beforeAll(async () => {
  lab = await startVendorLab({ configureKsc: true });
  const task = await lab.runTask('POST', '/tenants', simpleTenantXml('Fuzz Target'));
  tenantId = tenantIdOf(task);
});
afterAll(async () => {
  await lab?.stop();
});

function storedState() {
  const db = new DatabaseSync(join(lab.dataDir, 'lightkeeper.sqlite'), { readOnly: true });
  try {
    const n = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { ...lab.dbState(), tasks: n('tasks'), audit: n('audit_log'), settings: n('settings') };
  } finally {
    db.close();
  }
}

const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const identifier = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,20}$/);
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const validTenant = (name: string) =>
  `<tenant><name>${esc(name)}</name><description>d</description><type>Complete</type><vKsc><user><name>fuzz-admin</name><password>${b64('Fuzz-Pa55!')}</password></user></vKsc></tenant>`;

/** One defect each; `valid` bodies only travel with a defect of their own (type, media type). */
const hostileTenantBody: fc.Arbitrary<{ body: string; contentType?: string }> = fc.oneof(
  // DTDs in every shape: internal entities, external (XXE), parameter entities, billion laughs.
  fc.tuple(identifier, text, fc.constantFrom('SYSTEM "file:///etc/passwd"', 'SYSTEM "http://127.0.0.1:1/x"', 'PUBLIC "x" "y"', '"lol"')).map(([e, v, src]) => ({
    body: `<?xml version="1.0"?><!DOCTYPE tenant [<!ENTITY ${e} ${src}><!ENTITY v "${esc(v)}">]>${validTenant(`&${e};`)}`,
  })),
  fc.integer({ min: 2, max: 12 }).map((depth) => ({
    body: `<!DOCTYPE l [<!ENTITY l0 "lol">${Array.from({ length: depth }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('')}]>${validTenant(`&l${depth};`)}`,
  })),
  fc.constantFrom('<!ELEMENT tenant ANY>', '<!ATTLIST tenant id CDATA #IMPLIED>', '<!NOTATION n SYSTEM "x">', '<!DOCTYPE tenant SYSTEM "http://x/d.dtd">').map((decl) => ({ body: `${decl}${validTenant('x')}` })),
  // Truncated anywhere before the end: the root is never closed.
  fc.tuple(text, fc.double({ min: 0, max: 0.999, noNaN: true })).map(([name, cut]) => {
    const full = validTenant(name || 'x');
    return { body: full.slice(0, Math.floor(full.length * cut)) };
  }),
  // Stray markup characters inside the structure.
  fc.tuple(fc.constantFrom('<', '&', '</x>', '<<', ']]>'), fc.integer({ min: 1, max: 40 })).map(([junk, at]) => {
    const full = `<tenant><name>x</name><type>Simple</type></tenant>`;
    return { body: `${full.slice(0, at)}${junk}${full.slice(at)}` };
  }),
  // Entity references that XML does not predefine.
  identifier.filter((e) => !['amp', 'lt', 'gt', 'quot', 'apos'].includes(e)).map((e) => ({ body: validTenant('a').replace('<name>a</name>', `<name>a&${e};b</name>`) })),
  // Not XML at all.
  text.filter((s) => !s.includes('<')).map((s) => ({ body: s || ' ' })),
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => ({ body: Buffer.from(bytes).toString('latin1').replace(/</g, '') || '\u0001' })),
  // Structure the API does not accept.
  identifier.filter((r) => r !== 'tenant').map((root) => ({ body: `<${root}><name>x</name><type>Simple</type></${root}>` })),
  fc.integer({ min: 17, max: 300 }).map((depth) => ({ body: `<tenant><name>${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}</name></tenant>` })),
  fc.constant({ body: '<tenant><name>x</name></tenant><tenant><name>y</name></tenant>' }),
  text.map((name) => ({ body: `<tenant><name>${esc(name)}</name><name>dup</name><type>Simple</type></tenant>` })),
  text.map((name) => ({ body: `<tenant><name><b>${esc(name)}</b></name><type>Simple</type></tenant>` })),
  // Values the rules refuse.
  fc.constant({ body: '<tenant><description>no name</description><type>Simple</type></tenant>' }),
  // Over 128 characters once the XML reader has trimmed the value (it does), or it is a valid name.
  fc.string({ minLength: 129, maxLength: 3000 }).filter((name) => name.trim().length > 128).map((name) => ({ body: `<tenant><name>${esc(name)}</name><type>Simple</type></tenant>` })),
  fc.tuple(text, fc.integer({ min: 1, max: 8 })).map(([name, c]) => ({ body: `<tenant><name>${esc(name)}&#${c};</name><type>Simple</type></tenant>` })),
  text.filter((t) => !['Complete', 'Simple', ''].includes(t.trim())).map((type) => ({ body: `<tenant><name>x</name><type>${esc(type)}</type></tenant>` })),
  fc.constant({ body: '<tenant><name>x</name><type>Complete</type></tenant>' }),
  text.filter((p) => p.trim() !== '').map((p) => ({ body: `<tenant><name>x</name><type>Complete</type><vKsc><user><name>a</name><password>${esc(p)}!</password></user></vKsc></tenant>` })),
  text.filter((ip) => ip.trim() !== '' && isIP(ip.trim()) === 0).map((ip) => ({ body: `<tenant><name>x</name><type>Simple</type><preferredViisAddress>${esc(ip)}</preferredViisAddress></tenant>` })),
  fc.constantFrom('a/b', 'a\\b', 'a:b', 'a*b', 'a?b', 'a"b', 'a|b').map((name) => ({ body: validTenant(name) })),
  // A valid body, but not sent as XML.
  fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml; charset=utf-16').map((contentType) => ({
    body: simpleTenantXml('Fuzz Wrong Type'),
    contentType,
  })),
);

const hostileVmBody: fc.Arbitrary<{ body: string; contentType?: string }> = fc.oneof(
  fc.constant({ body: '<vm><name>no bios</name></vm>' }),
  text.filter((b) => !/^\s*\{?[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\}?\s*$/i.test(b)).map((b) => ({ body: `<vm biosId="${esc(b).replace(/"/g, '&quot;')}"/>` })),
  fc.uuid().map((u) => ({ body: `<vm biosId="${u}"><name><x/></name></vm>` })),
  fc.uuid().map((u) => ({ body: `<vms><vm biosId="${u}"/><vm biosId="${u.toUpperCase()}"/></vms>` })),
  fc.uuid().map((u) => ({ body: `<!DOCTYPE vm [<!ENTITY x SYSTEM "file:///etc/shadow">]><vm biosId="${u}"><name>&x;</name></vm>` })),
  fc.tuple(fc.uuid(), fc.double({ min: 0, max: 0.999, noNaN: true })).map(([u, cut]) => {
    const full = `<vm biosId="${u}"><name>n</name></vm>`;
    return { body: full.slice(0, Math.floor(full.length * cut)) };
  }),
  identifier.filter((r) => r !== 'vm' && r !== 'vms').map((root) => ({ body: `<${root} biosId="${crypto.randomUUID()}"/>` })),
  fc.uuid().map((u) => ({ body: `<vm biosId="${u}"><name>${'n'.repeat(300)}</name></vm>` })),
  fc.constant({ body: '<vms></vms>' }),
  fc.uuid().map((u) => ({ body: `<vm biosId="${u}"/>`, contentType: 'application/json' })),
);

async function expectRefused(path: string, c: { body: string; contentType?: string }): Promise<void> {
  const r = await lab.vendor('POST', path, { body: c.body, ...(c.contentType ? { contentType: c.contentType } : {}) });
  expect(r.status, `${r.status} for ${JSON.stringify(c).slice(0, 300)}: ${r.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(r.status, JSON.stringify(c).slice(0, 300)).toBeLessThan(500);
  const error = parseXml(r.body).error as { code?: string; message?: string };
  expect(error.code).toBeTruthy();
  expect(error.message).toBeTruthy();
}

describe('hostile XML bodies', () => {
  it('1,100 generated cases on create and register: always a 4xx with a code, never a change', async () => {
    const before = storedState();
    await fc.assert(fc.asyncProperty(hostileTenantBody, (c) => expectRefused('/tenants', c)), { numRuns: 700 });
    await fc.assert(fc.asyncProperty(hostileVmBody, (c) => expectRefused(`/tenants/${tenantId}/vms/register`, c)), { numRuns: 400 });
    for (const size of [1024 * 1024 + 1, 4 * 1024 * 1024]) {
      expect(await lab.oversized('/tenants', `<tenant><name>${'x'.repeat(size)}</name></tenant>`)).toBe(413);
    }
    expect((await lab.vendor('GET', '/tenants')).status).toBe(200);
    // Give any task that might have slipped through the time to show.
    await new Promise((r) => setTimeout(r, 300));
    expect(storedState()).toEqual(before);
    expect(lab.serve.child.exitCode).toBeNull();
  });
});
