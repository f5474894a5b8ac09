import { Type, type Static } from 'typebox';

/** The Integration Server's own accounts. `admin` and `multitenancy` are the vendor's names. */
export const ACCOUNT_NAMES = ['admin', 'multitenancy', 'svm', 'agent', 'viewer'] as const;
export type AccountName = (typeof ACCOUNT_NAMES)[number];

export const ACCOUNT_PURPOSE: Record<AccountName, string> = {
  admin: 'the console and everything else',
  multitenancy: 'the vendor REST API /api/2.0/virtualization only',
  svm: 'the SVM report channel only',
  agent: 'Light Agent discovery only',
  viewer: 'read-only access to the JSON API',
};

export const AccountNameSchema = Type.Enum(ACCOUNT_NAMES);

export const AccountSummarySchema = Type.Object({
  name: AccountNameSchema,
  purpose: Type.String(),
  passwordSet: Type.Boolean(),
  passwordChanged: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type AccountSummary = Static<typeof AccountSummarySchema>;

/** A new password for one account (the vendor's rule applies: main/domain/password-policy.ts). */
export const ChangePasswordRequestSchema = Type.Object({ password: Type.String({ maxLength: 1000 }) }, { additionalProperties: false });
export type ChangePasswordRequest = Static<typeof ChangePasswordRequestSchema>;

/** The password was changed; the rule's recommendations it does not meet come back as warnings. */
export const ChangePasswordResultSchema = Type.Object({
  account: AccountNameSchema,
  passwordChanged: Type.String({ format: 'date-time' }),
  warnings: Type.Array(Type.Object({ code: Type.String(), message: Type.String() })),
});
export type ChangePasswordResult = Static<typeof ChangePasswordResultSchema>;
