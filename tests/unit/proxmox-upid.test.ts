import { describe, expect, it } from 'vitest';
import { formatUpid, parseUpid } from '../../main/connectors/proxmox/upid.ts';
import { normalizeTlsFingerprint } from '../../main/connectors/proxmox/pinned-tls.ts';

describe('Proxmox UPID', () => {
  it('parses the documented example and formats it back byte for byte', () => {
    const text = 'UPID:pve:0019B2C4:02F1A3E5:6650F1A2:qmcreate:101:root@pam:';
    const upid = parseUpid(text)!;
    expect(upid).toEqual({ node: 'pve', pid: 0x19b2c4, pstart: 0x2f1a3e5, starttime: 0x6650f1a2, type: 'qmcreate', id: '101', user: 'root@pam' });
    expect(formatUpid(upid)).toBe(text);
  });

  it('accepts an empty id and a token user, refuses a missing trailing colon or a colon in the id', () => {
    expect(parseUpid('UPID:pve:00000001:00000002:00000003:imgcopy::root@pam!deploy:')).toMatchObject({ id: '', user: 'root@pam!deploy' });
    expect(parseUpid('UPID:pve:00000001:00000002:00000003:qmstart:101:root@pam')).toBeNull();
    expect(parseUpid('UPID:pve:00000001:00000002:00000003:imgdel:local:import/x:root@pam:')).toBeNull();
  });
});

describe('TLS fingerprints', () => {
  it('normalises case, colons and a sha256 prefix to the AB:CD form; refuses anything else', () => {
    const hex = 'ab'.repeat(32);
    const want = 'AB:'.repeat(31) + 'AB';
    expect(normalizeTlsFingerprint(hex)).toBe(want);
    expect(normalizeTlsFingerprint(`sha256:${want.toLowerCase()}`)).toBe(want);
    expect(normalizeTlsFingerprint('AB:CD')).toBeNull();
  });
});
