import { Type, type Static } from 'typebox';

/** Tenant types and statuses, spelled as the vendor spells them (rest-api.md §2.1). */
export const TENANT_TYPES = ['Complete', 'Simple'] as const;
export type TenantType = (typeof TENANT_TYPES)[number];
export const TENANT_STATUSES = ['Active', 'Inactive'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

/** Task types of the multitenancy API (rest-api.md §2.3). */
export const TENANT_TASK_TYPES = {
  create: 'CreateTenant',
  changeActivation: 'ChangeTenantActivation',
  delete: 'DeleteTenant',
} as const;

/**
 * Every code a tenant operation can end with. The `VIRMT_`/`KSC_ServiceNotConfigured` ones are the
 * vendor's (rest-api.md §6); `LK_` ones are ours, for refusals the vendor does not document.
 */
export const TENANT_CODES = {
  mandatoryParameter: 'VIRMT_MandatoryParameterIsNotSpecified',
  invalidType: 'VIRMT_InvalidTenantType',
  credentialsMissing: 'VIRMT_VKscCredentialsNotSpecified',
  invalidViisAddress: 'VIRMT_InvalidViisAddressFormat',
  tenantNotFound: 'VIRMT_TenantWithSpecifiedIdNotFound',
  groupExists: 'VIRMT_TenantGroupAlreadyExists',
  nameExists: 'VIRMT_TenantWithSpecifiedNameAlreadyExists',
  vmExists: 'VIRMT_VmWithSpecifiedBiosIdAlreadyExists',
  vmNotFound: 'VIRMT_VmWithSpecifiedIdNotFound',
  kscNotConfigured: 'KSC_ServiceNotConfigured',
  invalidValue: 'LK_InvalidParameterValue',
  tenantBusy: 'LK_TenantIsBeingChanged',
} as const;
export type TenantCode = (typeof TENANT_CODES)[keyof typeof TENANT_CODES];

/** Field limits: generous for real names, small enough that no request can bloat the database. */
export const TENANT_LIMITS = {
  name: 128,
  description: 1024,
  userData: 16 * 1024,
  adminName: 128,
  adminPassword: 256,
  vmName: 256,
  vmsPerRequest: 1000,
} as const;

export const TenantTypeSchema = Type.Enum(TENANT_TYPES);
export const TenantStatusSchema = Type.Enum(TENANT_STATUSES);

export const TenantSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  description: Type.String(),
  userData: Type.String(),
  preferredViisAddress: Type.Union([Type.String(), Type.Null()]),
  type: TenantTypeSchema,
  status: TenantStatusSchema,
  /** The tenant's virtual Administration Server; null for Simple tenants. Never a password. */
  vKsc: Type.Union([Type.Object({ id: Type.Union([Type.Integer(), Type.Null()]), adminName: Type.String() }), Type.Null()]),
  vmCount: Type.Integer({ minimum: 0 }),
  created: Type.String({ format: 'date-time' }),
  updated: Type.String({ format: 'date-time' }),
});
export type Tenant = Static<typeof TenantSchema>;

export const TenantVmSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  tenantId: Type.String({ format: 'uuid' }),
  biosId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  userData: Type.String(),
  created: Type.String({ format: 'date-time' }),
  updated: Type.String({ format: 'date-time' }),
});
export type TenantVm = Static<typeof TenantVmSchema>;

export const TENANT_SORT_FIELDS = ['name', 'type', 'status', 'created', 'updated'] as const;
export type TenantSortField = (typeof TENANT_SORT_FIELDS)[number];

export const TenantListQuerySchema = Type.Object({
  name: Type.Optional(Type.String({ maxLength: TENANT_LIMITS.name, description: 'part of the name, any case' })),
  status: Type.Optional(TenantStatusSchema),
  type: Type.Optional(TenantTypeSchema),
  sort: Type.Optional(Type.Enum(TENANT_SORT_FIELDS, { default: 'name' })),
  order: Type.Optional(Type.Enum(['asc', 'desc'], { default: 'asc' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});
export type TenantListQuery = Static<typeof TenantListQuerySchema>;

export const TenantListSchema = Type.Object({ items: Type.Array(TenantSchema), total: Type.Integer() });
export type TenantList = Static<typeof TenantListSchema>;

export const CreateTenantRequestSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: TENANT_LIMITS.name }),
  description: Type.Optional(Type.String({ maxLength: TENANT_LIMITS.description })),
  userData: Type.Optional(Type.String({ maxLength: TENANT_LIMITS.userData })),
  preferredViisAddress: Type.Optional(Type.String({ maxLength: 64 })),
  type: TenantTypeSchema,
  /** Complete tenants only: the tenant administrator's account on its virtual Administration Server. */
  admin: Type.Optional(
    Type.Object({
      name: Type.String({ minLength: 1, maxLength: TENANT_LIMITS.adminName }),
      password: Type.String({ minLength: 1, maxLength: TENANT_LIMITS.adminPassword }),
    }, { additionalProperties: false }),
  ),
}, { additionalProperties: false });
export type CreateTenantRequest = Static<typeof CreateTenantRequestSchema>;

export const DeleteTenantQuerySchema = Type.Object({
  removeTenantArtifacts: Type.Optional(Type.Boolean({ default: false })),
});

export const RegisterVmRequestSchema = Type.Object({
  biosId: Type.String({ minLength: 1, maxLength: 64 }),
  name: Type.Optional(Type.String({ maxLength: TENANT_LIMITS.vmName })),
  userData: Type.Optional(Type.String({ maxLength: TENANT_LIMITS.userData })),
}, { additionalProperties: false });
export type RegisterVmRequest = Static<typeof RegisterVmRequestSchema>;

export const TenantVmListSchema = Type.Object({ items: Type.Array(TenantVmSchema), total: Type.Integer() });

/** What agent discovery needs to know of a VM's tenant (design §5). */
export type TenantOfVm = { type: TenantType; status: TenantStatus };
