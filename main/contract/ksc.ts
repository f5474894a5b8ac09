import { Type, type Static } from 'typebox';

/** The Administration Server connection as the APIs show it: never the password. */
export const KscSettingsViewSchema = Type.Object({
  configured: Type.Boolean(),
  address: Type.Union([Type.String(), Type.Null()]),
  port: Type.Union([Type.Integer(), Type.Null()]),
  user: Type.Union([Type.String(), Type.Null()]),
  pinnedFingerprint: Type.Union([Type.String(), Type.Null()]),
  passwordSet: Type.Boolean(),
});
export type KscSettingsView = Static<typeof KscSettingsViewSchema>;

export const KscSettingsRequestSchema = Type.Object({
  address: Type.String({ minLength: 1, maxLength: 253 }),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, default: 13299 })),
  user: Type.String({ minLength: 1, maxLength: 256 }),
  password: Type.String({ minLength: 1, maxLength: 256 }),
  /** The SHA-256 fingerprint the administrator confirmed (first get it from `/api/v1/ksc/probe`). */
  pinnedFingerprint: Type.String({ minLength: 64, maxLength: 95 }),
}, { additionalProperties: false });
export type KscSettingsRequest = Static<typeof KscSettingsRequestSchema>;

export const KscProbeRequestSchema = Type.Object({
  address: Type.String({ minLength: 1, maxLength: 253 }),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, default: 13299 })),
}, { additionalProperties: false });
export const KscProbeResultSchema = Type.Object({ fingerprint: Type.String() });

export const KscTestReportSchema = Type.Object({
  ok: Type.Boolean(),
  presentedFingerprint: Type.Union([Type.String(), Type.Null()]),
  checks: Type.Array(Type.Object({ name: Type.String(), ok: Type.Boolean(), skipped: Type.Boolean(), message: Type.String() })),
  missing: Type.Array(Type.String()),
});
export type KscTestReportView = Static<typeof KscTestReportSchema>;
