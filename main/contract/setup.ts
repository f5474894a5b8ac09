import { Type, type Static } from 'typebox';
import { ACCOUNT_NAMES } from './accounts.ts';

/** First-run setup over HTTPS: no account exists yet, so a one-time token printed by the server guards it. */
export const FirstRunStatusSchema = Type.Object({
  required: Type.Boolean({ description: 'true while no account has a password and the server accepts first-run setup' }),
});
export type FirstRunStatus = Static<typeof FirstRunStatusSchema>;

export const FirstRunRequestSchema = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 200, description: 'the one-time setup token the server printed when it started' }),
    passwords: Type.Object(Object.fromEntries(ACCOUNT_NAMES.map((n) => [n, Type.String({ maxLength: 200 })])) as Record<(typeof ACCOUNT_NAMES)[number], ReturnType<typeof Type.String>>, {
      additionalProperties: false,
    }),
  },
  { additionalProperties: false },
);
export type FirstRunRequest = Static<typeof FirstRunRequestSchema>;

export const FirstRunResultSchema = Type.Object({
  warnings: Type.Array(Type.Object({ account: Type.String(), message: Type.String() })),
});
export type FirstRunResult = Static<typeof FirstRunResultSchema>;
