import { TENANT_CODES, TENANT_LIMITS, TENANT_TYPES, type TenantCode, type TenantStatus, type TenantType } from '../contract/tenants.ts';

/**
 * The tenant rules of rest-api.md §3 that need no I/O, shared by the vendor XML API and our JSON
 * API so both refuse the same things with the same codes. Checks run in the vendor's documented
 * order (name, type, credentials, address), so a request with several faults gets the code the
 * vendor's server would give first.
 */

/** A field as it arrived: text, absent, or present but not text (an element where text belongs). */
export type RawField = string | undefined | { notText: true };

export type TenantDraftInput = {
  name: RawField;
  description?: RawField;
  userData?: RawField;
  preferredViisAddress?: RawField;
  type?: RawField;
  /** Whether the request named a tenant administrator at all (`<vKsc>` in XML). */
  adminGiven: boolean;
  adminName?: RawField;
  /** The vendor API sends the password Base64-encoded; the JSON API sends it as it is. */
  adminPassword?: RawField;
  adminPasswordEncoding: 'base64' | 'plain';
};

export type TenantDraft = {
  name: string;
  description: string;
  userData: string;
  preferredViisAddress: string | null;
  type: TenantType;
  admin: { name: string; password: string } | null;
};

export type RuleViolation = { code: TenantCode; field: string; message: string };
export type Checked<T> = { ok: true; value: T } | { ok: false; violation: RuleViolation };

const violation = (code: TenantCode, field: string, message: string): { ok: false; violation: RuleViolation } => ({
  ok: false,
  violation: { code, field, message },
});

// Control characters have no place in names; tabs and newlines are allowed only in free text.
const CONTROL = /[\u0000-\u001f\u007f]/;
const CONTROL_EXCEPT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/** Characters the Administration Server refuses in a folder name; a Complete tenant's name becomes one. */
const FOLDER_FORBIDDEN = /[\\/:*?"<>|]/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function text(field: string, raw: RawField, max: number, control: RegExp): Checked<string | undefined> {
  if (raw === undefined) return { ok: true, value: undefined };
  if (typeof raw !== 'string') return violation(TENANT_CODES.invalidValue, field, `${field} must be text, not XML elements.`);
  if (raw.length > max) return violation(TENANT_CODES.invalidValue, field, `${field} is longer than ${max} characters.`);
  if (control.test(raw)) return violation(TENANT_CODES.invalidValue, field, `${field} contains a control character.`);
  return { ok: true, value: raw };
}

/** Decodes the vendor's Base64 password strictly: anything that is not canonical Base64 of UTF-8 is refused. */
export function decodeBase64Password(encoded: string): string | undefined {
  const compact = encoded.replace(/\s+/g, '');
  if (!BASE64.test(compact)) return undefined;
  try {
    const bytes = Uint8Array.from(atob(compact), (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Checks a create request. `type` defaults to Complete when a tenant administrator is given and to
 * Simple otherwise (the vendor's pages disagree on whether it is mandatory: docs/rest-api-2.0.md).
 */
export function checkTenantDraft(input: TenantDraftInput, deps: { isIpAddress(value: string): boolean }): Checked<TenantDraft> {
  const name = text('name', input.name, TENANT_LIMITS.name, CONTROL);
  if (!name.ok) return name;
  if (name.value === undefined || name.value.trim() === '') {
    return violation(TENANT_CODES.mandatoryParameter, 'name', 'The tenant name (name) is mandatory.');
  }
  const rawType = text('type', input.type, 32, CONTROL);
  if (!rawType.ok) return violation(TENANT_CODES.invalidType, 'type', 'type must be Complete or Simple.');
  const typeText = rawType.value?.trim();
  let type: TenantType;
  if (typeText === undefined || typeText === '') type = input.adminGiven ? 'Complete' : 'Simple';
  else if ((TENANT_TYPES as readonly string[]).includes(typeText)) type = typeText as TenantType;
  else return violation(TENANT_CODES.invalidType, 'type', `type '${typeText.slice(0, 32)}' is not a tenant type: use Complete or Simple.`);

  let admin: TenantDraft['admin'] = null;
  if (type === 'Complete') {
    const adminName = text('vKsc/user/name', input.adminName, TENANT_LIMITS.adminName, CONTROL);
    if (!adminName.ok) return adminName;
    const password = text('vKsc/user/password', input.adminPassword, TENANT_LIMITS.adminPassword * 2, CONTROL);
    if (!password.ok) return password;
    if (!adminName.value?.trim() || !password.value) {
      return violation(TENANT_CODES.credentialsMissing, 'vKsc/user', 'A Complete tenant needs vKsc/user/name and vKsc/user/password.');
    }
    const plain = input.adminPasswordEncoding === 'base64' ? decodeBase64Password(password.value) : password.value;
    if (plain === undefined) return violation(TENANT_CODES.invalidValue, 'vKsc/user/password', 'vKsc/user/password must be the Base64 encoding of the password.');
    if (plain === '') return violation(TENANT_CODES.credentialsMissing, 'vKsc/user/password', 'The tenant administrator password is empty.');
    if (plain.length > TENANT_LIMITS.adminPassword) {
      return violation(TENANT_CODES.invalidValue, 'vKsc/user/password', `The tenant administrator password is longer than ${TENANT_LIMITS.adminPassword} characters.`);
    }
    if (CONTROL.test(plain)) return violation(TENANT_CODES.invalidValue, 'vKsc/user/password', 'The tenant administrator password contains a control character.');
    admin = { name: adminName.value.trim(), password: plain };
    if (FOLDER_FORBIDDEN.test(name.value)) {
      return violation(TENANT_CODES.invalidValue, 'name', 'The name of a Complete tenant becomes an Administration Server folder and may not contain \\ / : * ? " < > |.');
    }
  }

  const address = text('preferredViisAddress', input.preferredViisAddress, 64, CONTROL);
  if (!address.ok) return violation(TENANT_CODES.invalidViisAddress, 'preferredViisAddress', 'preferredViisAddress must be an IP address.');
  const addressText = address.value?.trim();
  if (addressText !== undefined && addressText !== '' && !deps.isIpAddress(addressText)) {
    return violation(TENANT_CODES.invalidViisAddress, 'preferredViisAddress', `preferredViisAddress '${addressText.slice(0, 64)}' is not an IP address.`);
  }
  const description = text('description', input.description, TENANT_LIMITS.description, CONTROL_EXCEPT_WHITESPACE);
  if (!description.ok) return description;
  const userData = text('userData', input.userData, TENANT_LIMITS.userData, CONTROL_EXCEPT_WHITESPACE);
  if (!userData.ok) return userData;

  return {
    ok: true,
    value: {
      name: name.value.trim(),
      description: description.value ?? '',
      userData: userData.value ?? '',
      preferredViisAddress: addressText ? addressText : null,
      type,
      admin,
    },
  };
}

export type VmDraftInput = { biosId: RawField; name?: RawField; userData?: RawField };
export type VmDraft = { biosId: string; name: string; userData: string };

/** BIOS ids are UUIDs; stored and compared in lower case, so one VM cannot be registered twice by case. */
export function normalizeBiosId(value: string): string | undefined {
  const trimmed = value.trim();
  // Braces only when there are some: discovery looks up ids this way on every request.
  const bare = trimmed.startsWith('{') && trimmed.endsWith('}') ? trimmed.slice(1, -1) : trimmed;
  return UUID.test(bare) ? bare.toLowerCase() : undefined;
}

export const isUuid = (value: string): boolean => UUID.test(value);

export function checkVmDraft(input: VmDraftInput): Checked<VmDraft> {
  const bios = text('biosId', input.biosId, 64, CONTROL);
  if (!bios.ok) return bios;
  if (bios.value === undefined || bios.value.trim() === '') return violation(TENANT_CODES.mandatoryParameter, 'biosId', 'The BIOS id of the VM (biosId) is mandatory.');
  const biosId = normalizeBiosId(bios.value);
  if (!biosId) return violation(TENANT_CODES.invalidValue, 'biosId', `biosId '${bios.value.slice(0, 64)}' is not a UUID.`);
  const name = text('name', input.name, TENANT_LIMITS.vmName, CONTROL);
  if (!name.ok) return name;
  const userData = text('userData', input.userData, TENANT_LIMITS.userData, CONTROL_EXCEPT_WHITESPACE);
  if (!userData.ok) return userData;
  return { ok: true, value: { biosId, name: name.value?.trim() ?? '', userData: userData.value ?? '' } };
}

/** The key under which tenant names are unique: case does not make a different tenant. */
export const tenantNameKey = (name: string): string => name.trim().toLocaleLowerCase('en-US');

export type ActivationChange = 'activate' | 'deactivate';
export const statusAfter = (change: ActivationChange): TenantStatus => (change === 'activate' ? 'Active' : 'Inactive');

/**
 * Whether a tenant's protection depends on the Administration Server: only a Complete tenant has a
 * virtual server, and only removing its artifacts needs the connection (rest-api.md §3.9).
 */
export const needsAdministrationServer = (type: TenantType, operation: 'create' | 'activation' | 'delete', removeArtifacts = false): boolean =>
  type === 'Complete' && (operation !== 'delete' || removeArtifacts);
