import { Type, type Static } from 'typebox';
import { TaggedUnion } from './tagged-union.ts';

/**
 * The SVM Management Wizard's requests (domain.md §4.1, issue 8 items 5–6): one validated body
 * per action carrying every wizard step, plus the pre-flight answer and the deployed SVMs.
 */
/** How large an SVM may be made, and how many are deployed at once: the schemas and the wizard's fields. */
export const SVM_LIMITS = {
  vcpus: { min: 1, max: 64 },
  memoryMiB: { min: 64, max: 262144, step: 256 },
  parallelism: { min: 1, max: 16 },
} as const;

export const SVM_TASK_TYPES = {
  deploy: 'DeploySvm',
  deployOne: 'DeploySingleSvm',
  remove: 'RemoveSvm',
  removeOne: 'RemoveSingleSvm',
  reconfigure: 'ReconfigureSvm',
  reconfigureOne: 'ReconfigureSingleSvm',
} as const;

/** The stages a single deployment reports, in order (issue 8 item 5). */
export const DEPLOY_STAGES = ['Pre-flight', 'Uploading the image', 'Creating the VM', 'Starting the VM', 'Waiting for the address', 'Configuring the SVM', 'Registering the SVM'] as const;

export const SVM_CODES = {
  preflightFailed: 'LK_PreflightFailed',
  svmNotFound: 'LK_SvmNotFound',
  hypervisor: 'LK_HypervisorError',
  ssh: 'LK_SshError',
  klconfig: 'LK_KlconfigFailed',
  noAddress: 'LK_SvmAddressTimeout',
  invalid: 'LK_InvalidParameterValue',
} as const;

const Name = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$', description: 'VM and host name: letters, digits, "." and "-"' });
const Ipv4 = Type.String({ pattern: '^(\\d{1,3}\\.){3}\\d{1,3}$' });
const Iface = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,15}$' });

export const IpSettingsSchema = TaggedUnion('mode', [
  Type.Object({ mode: Type.Literal('dhcp'), iface: Type.Optional(Iface) }, { additionalProperties: false }),
  Type.Object({ mode: Type.Literal('static'), iface: Type.Optional(Iface), ip: Ipv4, netmask: Ipv4, broadcast: Ipv4, gateway: Type.Optional(Ipv4) }, { additionalProperties: false }),
]);
export type IpSettings = Static<typeof IpSettingsSchema>;

export const SvmSettingsSchema = Type.Object({
  name: Name,
  /** Host, storage, network as the infrastructure's inventory names them; absent = the platform's default. */
  hostId: Type.Optional(Type.String({ maxLength: 256 })),
  storageId: Type.Optional(Type.String({ maxLength: 256 })),
  networkId: Type.Optional(Type.String({ maxLength: 256 })),
  vcpus: Type.Integer({ minimum: SVM_LIMITS.vcpus.min, maximum: SVM_LIMITS.vcpus.max }),
  memoryMiB: Type.Integer({ minimum: SVM_LIMITS.memoryMiB.min, maximum: SVM_LIMITS.memoryMiB.max }),
  ip: IpSettingsSchema,
}, { additionalProperties: false });
export type SvmSettings = Static<typeof SvmSettingsSchema>;

export const KscConnectionSettingsSchema = Type.Object({
  address: Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:-]+$' }),
  sslPort: Type.Integer({ minimum: 1, maximum: 65535, default: 13000 }),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
}, { additionalProperties: false });

export const DeployRequestSchema = Type.Object({
  infrastructureId: Type.String({ format: 'uuid' }),
  imageId: Type.String({ format: 'uuid' }),
  svms: Type.Array(SvmSettingsSchema, { minItems: 1, maxItems: 64 }),
  timezone: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_+/-]{1,64}$' })),
  dns: Type.Optional(Type.Object({ servers: Type.Array(Ipv4, { maxItems: 3 }), search: Type.Array(Type.String({ pattern: '^[A-Za-z0-9.-]{1,253}$' }), { maxItems: 6 }) }, { additionalProperties: false })),
  ksc: KscConnectionSettingsSchema,
  passwords: Type.Object({ root: Type.String({ minLength: 1, maxLength: 256 }), config: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }),
  /** SVMs deployed at once; each is its own child task. */
  parallelism: Type.Optional(Type.Integer({ minimum: SVM_LIMITS.parallelism.min, maximum: SVM_LIMITS.parallelism.max, default: 3 })),
}, { additionalProperties: false });
export type DeployRequest = Static<typeof DeployRequestSchema>;

export const RemoveRequestSchema = Type.Object({
  svmIds: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 256 }),
  parallelism: Type.Optional(Type.Integer({ minimum: SVM_LIMITS.parallelism.min, maximum: SVM_LIMITS.parallelism.max, default: 3 })),
}, { additionalProperties: false });
export type RemoveRequest = Static<typeof RemoveRequestSchema>;

export const ReconfigureRequestSchema = Type.Object({
  svmIds: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 256 }),
  vcpus: Type.Optional(Type.Integer({ minimum: SVM_LIMITS.vcpus.min, maximum: SVM_LIMITS.vcpus.max })),
  memoryMiB: Type.Optional(Type.Integer({ minimum: SVM_LIMITS.memoryMiB.min, maximum: SVM_LIMITS.memoryMiB.max })),
  timezone: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_+/-]{1,64}$' })),
  dns: Type.Optional(Type.Object({ servers: Type.Array(Ipv4, { maxItems: 3 }), search: Type.Array(Type.String({ pattern: '^[A-Za-z0-9.-]{1,253}$' }), { maxItems: 6 }) }, { additionalProperties: false })),
  ksc: Type.Optional(KscConnectionSettingsSchema),
  passwords: Type.Optional(Type.Object({ root: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })), config: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })) }, { additionalProperties: false })),
  parallelism: Type.Optional(Type.Integer({ minimum: SVM_LIMITS.parallelism.min, maximum: SVM_LIMITS.parallelism.max, default: 3 })),
}, { additionalProperties: false });
export type ReconfigureRequest = Static<typeof ReconfigureRequestSchema>;

export const PreflightCheckSchema = Type.Object({
  id: Type.String(),
  /** `ok`, `warning` (deployment may go on) or `failed` (it may not). */
  result: Type.Enum(['ok', 'warning', 'failed']),
  message: Type.String(),
  svm: Type.Optional(Type.String()),
});
export type PreflightCheck = Static<typeof PreflightCheckSchema>;
export const PreflightReportSchema = Type.Object({ ok: Type.Boolean(), checks: Type.Array(PreflightCheckSchema) });
export type PreflightReport = Static<typeof PreflightReportSchema>;

export const DeployedSvmSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  infrastructureId: Type.String({ format: 'uuid' }),
  vmId: Type.String(),
  biosUuid: Type.Union([Type.String(), Type.Null()]),
  hostId: Type.Union([Type.String(), Type.Null()]),
  address: Type.String(),
  vcpus: Type.Integer(),
  memoryMiB: Type.Integer(),
  imageVersion: Type.Union([Type.String(), Type.Null()]),
  deployedBy: Type.String({ description: 'task id' }),
  created: Type.String({ format: 'date-time' }),
  updated: Type.String({ format: 'date-time' }),
});
export type DeployedSvm = Static<typeof DeployedSvmSchema>;
export const DeployedSvmListSchema = Type.Object({ items: Type.Array(DeployedSvmSchema) });
