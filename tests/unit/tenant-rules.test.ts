import { describe, expect, it } from 'vitest';
import { TENANT_CODES } from '../../main/contract/tenants.ts';
import {
  checkTenantDraft,
  checkVmDraft,
  decodeBase64Password,
  needsAdministrationServer,
  normalizeBiosId,
  statusAfter,
  tenantNameKey,
  type TenantDraftInput,
} from '../../main/domain/tenant-rules.ts';

const isIpAddress = (v: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(v) || v === '::1';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const complete = (over: Partial<TenantDraftInput> = {}): TenantDraftInput => ({
  name: 'Acme',
  type: 'Complete',
  adminGiven: true,
  adminName: 'acme-admin',
  adminPassword: b64('Pa55-word!'),
  adminPasswordEncoding: 'base64',
  ...over,
});
const codeOf = (input: TenantDraftInput) => {
  const r = checkTenantDraft(input, { isIpAddress });
  return r.ok ? 'ok' : `${r.violation.code} ${r.violation.field}`;
};

describe('checkTenantDraft', () => {
  it('accepts a Complete tenant and decodes the Base64 password', () => {
    const r = checkTenantDraft(complete({ description: 'line 1\nline 2', userData: '<raw & data>', preferredViisAddress: ' 10.0.0.5 ' }), { isIpAddress });
    expect(r).toEqual({
      ok: true,
      value: { name: 'Acme', description: 'line 1\nline 2', userData: '<raw & data>', preferredViisAddress: '10.0.0.5', type: 'Complete', admin: { name: 'acme-admin', password: 'Pa55-word!' } },
    });
  });

  it('accepts a Simple tenant without an administrator', () => {
    expect(checkTenantDraft({ name: 'Shop', type: 'Simple', adminGiven: false, adminPasswordEncoding: 'base64' }, { isIpAddress })).toMatchObject({ ok: true, value: { type: 'Simple', admin: null } });
  });

  it('defaults the type to Complete when an administrator is given, else Simple', () => {
    expect(checkTenantDraft(complete({ type: undefined }), { isIpAddress })).toMatchObject({ ok: true, value: { type: 'Complete' } });
    expect(checkTenantDraft({ name: 'x', adminGiven: false, adminPasswordEncoding: 'base64' }, { isIpAddress })).toMatchObject({ ok: true, value: { type: 'Simple' } });
  });

  it('refuses with the vendor codes, in the vendor order', () => {
    expect(codeOf(complete({ name: undefined }))).toBe(`${TENANT_CODES.mandatoryParameter} name`);
    expect(codeOf(complete({ name: '   ' }))).toBe(`${TENANT_CODES.mandatoryParameter} name`);
    expect(codeOf(complete({ name: undefined, type: 'Bogus' }))).toBe(`${TENANT_CODES.mandatoryParameter} name`);
    expect(codeOf(complete({ type: 'complete' }))).toBe(`${TENANT_CODES.invalidType} type`);
    expect(codeOf(complete({ type: { notText: true } }))).toBe(`${TENANT_CODES.invalidType} type`);
    expect(codeOf(complete({ adminName: undefined }))).toBe(`${TENANT_CODES.credentialsMissing} vKsc/user`);
    expect(codeOf(complete({ adminPassword: '' }))).toBe(`${TENANT_CODES.credentialsMissing} vKsc/user`);
    expect(codeOf(complete({ adminGiven: false, adminName: undefined, adminPassword: undefined }))).toBe(`${TENANT_CODES.credentialsMissing} vKsc/user`);
    expect(codeOf(complete({ preferredViisAddress: '10.0.0.300x' }))).toBe(`${TENANT_CODES.invalidViisAddress} preferredViisAddress`);
    expect(codeOf(complete({ preferredViisAddress: { notText: true } }))).toBe(`${TENANT_CODES.invalidViisAddress} preferredViisAddress`);
  });

  it('names the field of every other bad value', () => {
    expect(codeOf(complete({ name: 'x'.repeat(129) }))).toBe(`${TENANT_CODES.invalidValue} name`);
    expect(codeOf(complete({ name: 'a\u0000b' }))).toBe(`${TENANT_CODES.invalidValue} name`);
    expect(codeOf(complete({ name: { notText: true } }))).toBe(`${TENANT_CODES.invalidValue} name`);
    expect(codeOf(complete({ name: 'a/b' }))).toBe(`${TENANT_CODES.invalidValue} name`);
    expect(codeOf({ name: 'a/b', type: 'Simple', adminGiven: false, adminPasswordEncoding: 'base64' })).toBe('ok');
    expect(codeOf(complete({ adminPassword: 'not base64!' }))).toBe(`${TENANT_CODES.invalidValue} vKsc/user/password`);
    expect(codeOf(complete({ adminPassword: b64('x'.repeat(257)) }))).toBe(`${TENANT_CODES.invalidValue} vKsc/user/password`);
    expect(codeOf(complete({ description: 'x'.repeat(1025) }))).toBe(`${TENANT_CODES.invalidValue} description`);
    expect(codeOf(complete({ userData: { notText: true } }))).toBe(`${TENANT_CODES.invalidValue} userData`);
  });

  it('takes the JSON API password as it is', () => {
    expect(checkTenantDraft(complete({ adminPassword: 'plain!', adminPasswordEncoding: 'plain' }), { isIpAddress })).toMatchObject({ ok: true, value: { admin: { password: 'plain!' } } });
  });
});

describe('decodeBase64Password', () => {
  it('decodes canonical Base64 of UTF-8 only', () => {
    expect(decodeBase64Password(b64('Päss wörd'))).toBe('Päss wörd');
    expect(decodeBase64Password('YWJj\nZA==')).toBe('abcd');
    expect(decodeBase64Password('YWJjZA')).toBeUndefined();
    expect(decodeBase64Password('@@@@')).toBeUndefined();
    expect(decodeBase64Password(Buffer.from([0xff, 0xfe]).toString('base64'))).toBeUndefined();
  });
});

describe('VMs', () => {
  it('normalizes BIOS UUIDs to lower case and refuses anything else', () => {
    expect(normalizeBiosId(' 4C4C4544-0042-3010-8052-B4C04F4B4B31 ')).toBe('4c4c4544-0042-3010-8052-b4c04f4b4b31');
    expect(normalizeBiosId('{4C4C4544-0042-3010-8052-B4C04F4B4B31}')).toBe('4c4c4544-0042-3010-8052-b4c04f4b4b31');
    expect(normalizeBiosId('4C4C4544004230108052B4C04F4B4B31')).toBeUndefined();
    expect(normalizeBiosId('')).toBeUndefined();
  });

  it('checks a VM draft', () => {
    expect(checkVmDraft({ biosId: undefined })).toMatchObject({ ok: false, violation: { code: TENANT_CODES.mandatoryParameter, field: 'biosId' } });
    expect(checkVmDraft({ biosId: 'nope' })).toMatchObject({ ok: false, violation: { code: TENANT_CODES.invalidValue, field: 'biosId' } });
    expect(checkVmDraft({ biosId: '4C4C4544-0042-3010-8052-B4C04F4B4B31', name: { notText: true } })).toMatchObject({ ok: false, violation: { field: 'name' } });
    expect(checkVmDraft({ biosId: '4C4C4544-0042-3010-8052-B4C04F4B4B31', name: ' vm1 ' })).toEqual({
      ok: true,
      value: { biosId: '4c4c4544-0042-3010-8052-b4c04f4b4b31', name: 'vm1', userData: '' },
    });
  });
});

describe('small rules', () => {
  it('keys names without regard to case', () => expect(tenantNameKey(' ACME ')).toBe(tenantNameKey('acme')));
  it('maps activation to status', () => {
    expect(statusAfter('activate')).toBe('Active');
    expect(statusAfter('deactivate')).toBe('Inactive');
  });
  it('needs the Administration Server only for Complete tenants, and for delete only with artifacts', () => {
    expect(needsAdministrationServer('Simple', 'create')).toBe(false);
    expect(needsAdministrationServer('Complete', 'create')).toBe(true);
    expect(needsAdministrationServer('Complete', 'activation')).toBe(true);
    expect(needsAdministrationServer('Complete', 'delete', false)).toBe(false);
    expect(needsAdministrationServer('Complete', 'delete', true)).toBe(true);
  });
});
