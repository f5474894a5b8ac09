import { Type, type Static } from 'typebox';

/** Where a change came from. */
export const AUDIT_CHANNELS = ['vendor-api', 'json-api', 'cli'] as const;
export type AuditChannel = (typeof AUDIT_CHANNELS)[number];

export const AuditEntrySchema = Type.Object({
  seq: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  account: Type.String(),
  address: Type.String(),
  channel: Type.Enum(AUDIT_CHANNELS),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  taskId: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});
export type AuditEntry = Static<typeof AuditEntrySchema>;

export const AuditListQuerySchema = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  account: Type.Optional(Type.String({ maxLength: 64 })),
  action: Type.Optional(Type.String({ maxLength: 64 })),
  target: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});
export type AuditListQuery = Static<typeof AuditListQuerySchema>;

export const AuditListSchema = Type.Object({ items: Type.Array(AuditEntrySchema), total: Type.Integer() });
