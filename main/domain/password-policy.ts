/**
 * The vendor's password rule for Integration Server accounts and for the SVM's root and klconfig
 * accounts (domain.md §4.4): at most 60 characters of Latin letters, digits and the listed
 * punctuation. Fewer than 8 characters or fewer than 3 character classes is only a warning: the
 * vendor recommends, it does not refuse.
 */
export const PASSWORD_MAX_LENGTH = 60;
export const PASSWORD_RECOMMENDED_LENGTH = 8;
export const PASSWORD_SPECIALS = `!#$%&'()*"+,-./\\:;<=>_?@[]^\`{|}~`;

export type PasswordFinding = { code: string; message: string };
export type PasswordVerdict = { errors: PasswordFinding[]; warnings: PasswordFinding[] };

const isUpper = (c: string) => c >= 'A' && c <= 'Z';
const isLower = (c: string) => c >= 'a' && c <= 'z';
const isDigit = (c: string) => c >= '0' && c <= '9';
const isSpecial = (c: string) => PASSWORD_SPECIALS.includes(c);

export function checkPassword(password: string): PasswordVerdict {
  const errors: PasswordFinding[] = [];
  const warnings: PasswordFinding[] = [];
  const chars = [...password];
  if (chars.length === 0) {
    errors.push({ code: 'PASSWORD_EMPTY', message: 'The password is empty.' });
    return { errors, warnings };
  }
  if (chars.length > PASSWORD_MAX_LENGTH) {
    errors.push({
      code: 'PASSWORD_TOO_LONG',
      message: `The password has ${chars.length} characters; at most ${PASSWORD_MAX_LENGTH} are allowed.`,
    });
  }
  // Positions, not the characters themselves: the message must not leak the secret.
  const badPositions = chars.flatMap((c, i) => (isUpper(c) || isLower(c) || isDigit(c) || isSpecial(c) ? [] : [i + 1]));
  if (badPositions.length > 0) {
    errors.push({
      code: 'PASSWORD_INVALID_CHARACTER',
      message: `The password has characters that are not allowed at position ${badPositions.join(', ')}: use only Latin letters, digits and ${PASSWORD_SPECIALS} (no spaces).`,
    });
  }
  if (chars.length < PASSWORD_RECOMMENDED_LENGTH) {
    warnings.push({
      code: 'PASSWORD_SHORT',
      message: `The password has fewer than ${PASSWORD_RECOMMENDED_LENGTH} characters; a longer one is recommended.`,
    });
  }
  const classes = [chars.some(isUpper), chars.some(isLower), chars.some(isDigit), chars.some(isSpecial)].filter(Boolean).length;
  if (classes < 3) {
    warnings.push({
      code: 'PASSWORD_FEW_CLASSES',
      message: `The password uses ${classes} of the 4 character classes (upper case, lower case, digits, special characters); at least 3 are recommended.`,
    });
  }
  return { errors, warnings };
}
