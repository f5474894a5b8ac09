// What `Authorization: Basic …` yields, for every shape a client may send it in.
import { describe, expect, it } from 'vitest';
import { parseBasic } from '../../main/services/access-control.ts';

const header = (scheme: string, credentials: string) => `${scheme} ${Buffer.from(credentials, 'utf8').toString('base64')}`;

describe('Basic credentials from the Authorization header', () => {
  it('splits user and password at the first colon, so the password may hold colons', () => {
    expect(parseBasic(header('Basic', 'agent:pa:ss:word'))).toEqual({ user: 'agent', password: 'pa:ss:word' });
  });

  it('reads the scheme in any case', () => {
    for (const scheme of ['basic', 'BASIC', 'bAsIc']) expect(parseBasic(header(scheme, 'svm:secret'))).toEqual({ user: 'svm', password: 'secret' });
  });

  it('decodes a UTF-8 password', () => {
    expect(parseBasic(header('Basic', 'viewer:пароль😀'))).toEqual({ user: 'viewer', password: 'пароль😀' });
  });

  it('takes the second token and ignores anything after it', () => {
    expect(parseBasic(`${header('Basic', 'admin:x')} trailing`)).toEqual({ user: 'admin', password: 'x' });
  });

  it('allows an empty password but not a missing colon', () => {
    expect(parseBasic(header('Basic', 'admin:'))).toEqual({ user: 'admin', password: '' });
    expect(parseBasic(header('Basic', 'admin'))).toBeUndefined();
  });

  it('refuses another scheme, a header without a value, and no header', () => {
    expect(parseBasic(header('Bearer', 'admin:x'))).toBeUndefined();
    expect(parseBasic(header('Basicx', 'admin:x'))).toBeUndefined();
    expect(parseBasic('Basic')).toBeUndefined();
    expect(parseBasic('Basic ')).toBeUndefined();
    expect(parseBasic('')).toBeUndefined();
    expect(parseBasic(undefined)).toBeUndefined();
  });
});
