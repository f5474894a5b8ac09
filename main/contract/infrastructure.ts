import { Type, type Static } from 'typebox';
import { PLATFORM_IDS } from './platforms.ts';

/** Infrastructure connections (issue 8 item 1): secrets go in, never come out. */
export const PlatformSchema = Type.Enum(PLATFORM_IDS);

export const INFRA_CODES = {
  notFound: 'LK_InfrastructureNotFound',
  nameTaken: 'LK_InfrastructureNameTaken',
  unconfirmed: 'LK_FingerprintNotConfirmed',
  fingerprintMismatch: 'LK_FingerprintMismatch',
  unreachable: 'LK_InfrastructureUnreachable',
  inUse: 'LK_InfrastructureInUse',
  badCredential: 'LK_InvalidCredential',
  notSupported: 'LK_PlatformNotSupported',
} as const;

export const PeerIdentitySchema = Type.Object({
  kind: Type.Enum(['ssh-host-key', 'tls-certificate']),
  /** `SHA256:…` for SSH, `AB:CD:…` for TLS: what the admin compares with the host's own console. */
  fingerprint: Type.String(),
  detail: Type.String(),
});
export type PeerIdentity = Static<typeof PeerIdentitySchema>;

export const InfrastructureSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  platform: PlatformSchema,
  address: Type.String(),
  port: Type.Integer(),
  account: Type.String(),
  credentialKind: Type.Enum(['password', 'privateKey', 'apiToken']),
  fingerprint: Type.String(),
  options: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
  created: Type.String({ format: 'date-time' }),
  updated: Type.String({ format: 'date-time' }),
});
export type Infrastructure = Static<typeof InfrastructureSchema>;

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

export const ProbeRequestSchema = Type.Object({
  platform: PlatformSchema,
  address: Text(253),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
}, { additionalProperties: false });
export type ProbeRequest = Static<typeof ProbeRequestSchema>;

export const AddInfrastructureRequestSchema = Type.Object({
  name: Text(128),
  platform: PlatformSchema,
  address: Text(253),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  account: Text(256),
  password: Type.Optional(Type.String({ maxLength: 1024 })),
  privateKey: Type.Optional(Type.String({ maxLength: 16384 })),
  passphrase: Type.Optional(Type.String({ maxLength: 1024 })),
  apiToken: Type.Optional(Type.String({ maxLength: 1024 })),
  /** The fingerprint the admin confirmed after the probe; without it nothing is stored. */
  fingerprint: Type.Optional(Type.String({ maxLength: 200 })),
  options: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Union([Type.String({ maxLength: 1024 }), Type.Number(), Type.Boolean()]))),
}, { additionalProperties: false });
export type AddInfrastructureRequest = Static<typeof AddInfrastructureRequestSchema>;

export const ConfirmFingerprintRequestSchema = Type.Object({ fingerprint: Text(200) }, { additionalProperties: false });

export const AccessCheckSchema = Type.Object({ id: Type.String(), ok: Type.Boolean(), detail: Type.String(), warning: Type.Optional(Type.Boolean()) });
export const AccessReportSchema = Type.Object({ ok: Type.Boolean(), checks: Type.Array(AccessCheckSchema) });
export type AccessReportBody = Static<typeof AccessReportSchema>;

export const InfrastructureListSchema = Type.Object({ items: Type.Array(InfrastructureSchema) });

/** The JSON API's error shape, plus the identity the peer presented when confirming it is the next step. */
export const LifecycleErrorBodySchema = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
  presented: Type.Optional(PeerIdentitySchema),
});

/** What the wizard's "SVM settings" step picks from: hosts, storage, networks, and the VMs already there. */
export const InventorySchema = Type.Object({
  platform: PlatformSchema,
  datacenters: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
  clusters: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), datacenterId: Type.Union([Type.String(), Type.Null()]) })),
  hosts: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), datacenterId: Type.Union([Type.String(), Type.Null()]), clusterId: Type.Union([Type.String(), Type.Null()]), cpus: Type.Union([Type.Number(), Type.Null()]), memoryMiB: Type.Union([Type.Number(), Type.Null()]), hypervisor: Type.String() })),
  storage: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), kind: Type.String(), hostIds: Type.Array(Type.String()), path: Type.Union([Type.String(), Type.Null()]), capacityBytes: Type.Union([Type.Number(), Type.Null()]), freeBytes: Type.Union([Type.Number(), Type.Null()]) })),
  networks: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), hostIds: Type.Array(Type.String()), active: Type.Union([Type.Boolean(), Type.Null()]) })),
  vms: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), biosUuid: Type.Union([Type.String(), Type.Null()]), hostId: Type.Union([Type.String(), Type.Null()]), state: Type.String(), vcpus: Type.Union([Type.Number(), Type.Null()]), memoryMiB: Type.Union([Type.Number(), Type.Null()]) })),
});
export type InventoryView = Static<typeof InventorySchema>;
