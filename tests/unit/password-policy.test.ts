import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkPassword, PASSWORD_SPECIALS } from '../../main/domain/password-policy.ts';

const codes = (pw: string) => {
  const v = checkPassword(pw);
  return { errors: v.errors.map((f) => f.code), warnings: v.warnings.map((f) => f.code) };
};

describe('the vendor password rule', () => {
  it('accepts a long password of four classes with no findings', () => {
    expect(codes('Str0ng!Passw0rd')).toEqual({ errors: [], warnings: [] });
  });

  it('accepts exactly 60 characters and refuses 61', () => {
    expect(codes('Aa1!'.repeat(15)).errors).toEqual([]);
    expect(codes('Aa1!'.repeat(15) + 'x').errors).toEqual(['PASSWORD_TOO_LONG']);
  });

  it('refuses an empty password', () => {
    expect(codes('').errors).toEqual(['PASSWORD_EMPTY']);
  });

  it.each([' ', 'é', 'ß', '\t', '€', '😀', 'Ж'])('refuses the character %j', (c) => {
    expect(codes(`Abc1!def${c}`).errors).toEqual(['PASSWORD_INVALID_CHARACTER']);
  });

  it('accepts every listed special character', () => {
    for (const c of PASSWORD_SPECIALS) expect(codes(`Abcdef1${c}`).errors).toEqual([]);
  });

  it('names the positions of bad characters but never the characters', () => {
    const v = checkPassword('Abc dé1!');
    expect(v.errors[0]!.message).toContain('position 4, 6');
    expect(v.errors[0]!.message).not.toContain('é');
  });

  it('only warns about a short password', () => {
    expect(codes('Ab1!')).toEqual({ errors: [], warnings: ['PASSWORD_SHORT'] });
  });

  it('only warns about fewer than three classes', () => {
    expect(codes('abcdefghij12')).toEqual({ errors: [], warnings: ['PASSWORD_FEW_CLASSES'] });
    expect(codes('abcdefghIJ12')).toEqual({ errors: [], warnings: [] });
  });

  it('gives both warnings for a short single-class password', () => {
    expect(codes('abc').warnings).toEqual(['PASSWORD_SHORT', 'PASSWORD_FEW_CLASSES']);
  });

  it('never refuses a password made only of allowed characters within the length', () => {
    const allowed = fc.constantFrom(...'abcXYZ0189', ...PASSWORD_SPECIALS);
    fc.assert(fc.property(fc.array(allowed, { minLength: 1, maxLength: 60 }), (chars) => codes(chars.join('')).errors.length === 0));
  });
});
