import { Type, type Static } from 'typebox';

/**
 * One line of the vendor's protection report (rest-api.md §4.3): tenant ID; tenant name; virtual
 * machine ID (its BIOS UUID); virtual machine name; protection enabled; protection disabled.
 */
export type ReportLine = readonly [string, string, string, string, string, string];

const Instant = Type.String({ format: 'date-time' });

export const ProtectedTimeQuerySchema = Type.Object({
  tenantId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  from: Type.Optional(Instant),
  to: Type.Optional(Instant),
  step: Type.Optional(Type.Union([Type.Literal('day'), Type.Literal('hour')], { default: 'day' })),
});
export type ProtectedTimeQuery = Static<typeof ProtectedTimeQuerySchema>;

const TenantRef = {
  tenantId: Type.Union([Type.String(), Type.Null()], { description: 'null: VMs of no tenant' }),
  tenantName: Type.Union([Type.String(), Type.Null()]),
};

export const ProtectedTimeSchema = Type.Object({
  from: Instant,
  to: Instant,
  step: Type.Union([Type.Literal('day'), Type.Literal('hour')]),
  steps: Type.Array(Type.Object({ ...TenantRef, stepStart: Instant, vmHours: Type.Number() })),
  totals: Type.Array(Type.Object({ ...TenantRef, vmHours: Type.Number(), peakConcurrentVms: Type.Integer(), vms: Type.Integer() })),
  collecting: Type.Boolean({ description: 'whether SVM connection periods are being collected (EnableProtectionReports)' }),
});
export type ProtectedTime = Static<typeof ProtectedTimeSchema>;

export const ProtectionReportSettingsSchema = Type.Object({
  enabled: Type.Boolean({ description: 'EnableProtectionReports: collect connection periods from SVM reports' }),
  periodsLifetimeDays: Type.Integer({ minimum: 1, maximum: 3650, description: 'ProtectionPeriodsRecordsLifetimeDays' }),
  reportLifetimeHours: Type.Integer({ minimum: 1, maximum: 8760, description: 'how long a generated report stays downloadable' }),
});
export type ProtectionReportSettings = Static<typeof ProtectionReportSettingsSchema>;
export const ProtectionReportSettingsPatchSchema = Type.Partial(ProtectionReportSettingsSchema, { additionalProperties: false });

/**
 * The vendor's tenant protection report (rest-api.md §4.3) from the console: made by a task like
 * the vendor API's POST /reports/tenants, and downloaded as the same CSV once the task completes.
 * No tenant: every VM; no `from`: the earliest period; no `to`: now.
 */
export const ProtectionReportRequestSchema = Type.Object(
  {
    tenantId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
  },
  { additionalProperties: false },
);
export type ProtectionReportRequest = Static<typeof ProtectionReportRequestSchema>;
