// The agent protocol of design §5: SVMs report themselves, Light Agents ask which SVMs they may use.
// The vendor's own protocol is not public; field meanings follow domain.md §1, §2 and §7, vendor
// values are spelled as the vendor spells them. Every string, array and number is bounded so that
// an absurd body is refused by validation before it reaches the hot path.
import { Type, type Static, type TSchema } from 'typebox';
import { TaggedUnion } from './tagged-union.ts';

// ---------------------------------------------------------------------------------------------
// Vocabularies
// ---------------------------------------------------------------------------------------------

/** Licence editions of the main licence (domain.md §7.2). */
export const LICENCE_EDITIONS = ['Standard', 'Enterprise'] as const;
export type LicenceEdition = (typeof LICENCE_EDITIONS)[number];

/** Key type on the SVM: per-VM scheme (server / desktop keys), per-core scheme, or no key at all. */
export const LICENCE_KEY_TYPES = ['server', 'desktop', 'cores', 'none'] as const;
export type LicenceKeyType = (typeof LICENCE_KEY_TYPES)[number];

/** The guest OS role a per-VM key is matched against (`SERVER_MODE` yes/no, domain.md §2). */
export const OS_KINDS = ['server', 'desktop'] as const;
export type OsKind = (typeof OS_KINDS)[number];

/** The Light Agent's platform: versions and database updates differ between the two. */
export const OS_FAMILIES = ['windows', 'linux'] as const;
export type OsFamily = (typeof OS_FAMILIES)[number];

/** LA↔Protection Server channel encryption on the SVM (domain.md §7.1). */
export const CHANNEL_ENCRYPTION_MODES = ['off', 'on', 'on-allow-unsecure'] as const;
export type ChannelEncryption = (typeof CHANNEL_ENCRYPTION_MODES)[number];

/** Stops of the extended algorithm's "SVM path" slider; `none` = do not take the path into account. */
export const EXTENDED_SCOPES = ['hypervisor', 'cluster', 'datacenter', 'none'] as const;
export type ExtendedScope = (typeof EXTENDED_SCOPES)[number];

/** `HypervisorSpecificSettings:Openstack` → `StandardAlgorithmSvmLocality` (domain.md §1.3, §2.1). */
export const STANDARD_ALGORITHM_SVM_LOCALITIES = ['ServerGroup', 'Project', 'AvailabilityZone'] as const;
export type StandardAlgorithmSvmLocality = (typeof STANDARD_ALGORITHM_SVM_LOCALITIES)[number];

/** Why an SVM is not offered to a Light Agent; one sentence accompanies each code. */
export const SVM_REJECTION_CODES = [
  'TENANT_INACTIVE',
  'STALE',
  'VERSION_INCOMPATIBLE',
  'PROTECTION_MISMATCH',
  'TAG_MISMATCH',
  'UPDATE_SOURCE',
  'OUT_OF_SCOPE',
  'LIST_LIMIT',
] as const;
export type SvmRejectionCode = (typeof SVM_REJECTION_CODES)[number];


// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

/** SMBIOS UUID as the hypervisor reports it (either case). */
export const BiosIdSchema = Type.String({
  pattern: '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$',
  maxLength: 36,
});

/** IPv4, IPv6 (with zone) or a DNS name. */
export const NetworkAddressSchema = Type.String({ minLength: 1, maxLength: 253, pattern: '^[0-9A-Za-z._:%-]+$' });

/** A VM, SVM, hypervisor, cluster, project… name as the infrastructure spells it. */
export const InfrastructureNameSchema = Type.String({ minLength: 1, maxLength: 255 });

/** `major.minor[.build[.revision]]`, e.g. `6.1.0.57` (SVM) or `12.1.0.1234` (KES for Linux). */
export const ProductVersionSchema = Type.String({ maxLength: 43, pattern: '^[0-9]{1,9}(\\.[0-9]{1,9}){1,3}$' });

/** A connection tag (Protection Server policy → Connection tags). */
export const ConnectionTagSchema = Type.String({ minLength: 1, maxLength: 256 });

export const PortSchema = Type.Integer({ minimum: 1, maximum: 65535 });
/** The SVM's agent-facing ports. The vendor says "the number of ports" (domain.md §9 q15); we send the list. */
export const PortListSchema = Type.Array(PortSchema, { minItems: 1, maxItems: 16 });

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Where a VM or SVM runs, in a hypervisor-based infrastructure. Standalone hosts have no cluster. */
export const VirtualizationPathSchema = Type.Object(
  {
    kind: Type.Literal('virtualization'),
    hypervisor: InfrastructureNameSchema,
    cluster: nullable(InfrastructureNameSchema),
    datacenter: nullable(InfrastructureNameSchema),
  },
  { additionalProperties: false },
);
export type VirtualizationPath = Static<typeof VirtualizationPathSchema>;

/** Where a VM or SVM runs in OpenStack, VK Cloud or TIONIX (project and server group are ids there). */
export const OpenStackPathSchema = Type.Object(
  {
    kind: Type.Literal('openstack'),
    project: InfrastructureNameSchema,
    serverGroup: nullable(InfrastructureNameSchema),
    availabilityZone: nullable(InfrastructureNameSchema),
  },
  { additionalProperties: false },
);
export type OpenStackPath = Static<typeof OpenStackPathSchema>;

/** The "SVM path" of domain.md §2: what locality is decided on. */
export const InfrastructurePathSchema = Type.Union([VirtualizationPathSchema, OpenStackPathSchema]);
export type InfrastructurePath = Static<typeof InfrastructurePathSchema>;
/** The same, in request bodies (see TaggedUnion). */
const InfrastructurePathRequestSchema = TaggedUnion('kind', [VirtualizationPathSchema, OpenStackPathSchema]);

// ---------------------------------------------------------------------------------------------
// POST /api/agents/v1/svm/report  (account `svm`)
// ---------------------------------------------------------------------------------------------

export const SvmLicenceSchema = Type.Object(
  {
    /** Null when no key is added (keyType `none`). */
    edition: nullable(Type.Enum(LICENCE_EDITIONS)),
    keyType: Type.Enum(LICENCE_KEY_TYPES),
    /** When the licence expires; null when the key has no expiry or there is no key. */
    expires: nullable(Type.String({ format: 'date-time', maxLength: 40 })),
    denylisted: Type.Boolean(),
    /** Separate licences or keys for extra features, e.g. `EDR Optimum`. */
    addOns: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 16 }),
  },
  { additionalProperties: false },
);
export type SvmLicence = Static<typeof SvmLicenceSchema>;

export const ConnectionTagsSchema = Type.Object(
  {
    /** "Allow connection of Light Agents with specified tags". */
    enabled: Type.Boolean(),
    list: Type.Array(ConnectionTagSchema, { maxItems: 64 }),
  },
  { additionalProperties: false },
);
export type ConnectionTags = Static<typeof ConnectionTagsSchema>;

/**
 * The Protection Server policy's update-download settings: Light Agents of these platforms get
 * their database updates through this SVM, and only they may connect to it (domain.md §1.2 rule 6).
 */
export const UpdateSourceSchema = Type.Object(
  { platforms: Type.Array(Type.Enum(OS_FAMILIES), { maxItems: 2 }) },
  { additionalProperties: false },
);
export type UpdateSource = Static<typeof UpdateSourceSchema>;

/** One Light Agent connection seen by the SVM since its last report; `end` null = still connected. */
export const ConnectionPeriodSchema = Type.Object(
  {
    vmBiosId: BiosIdSchema,
    start: Type.String({ format: 'date-time', maxLength: 40 }),
    end: nullable(Type.String({ format: 'date-time', maxLength: 40 })),
  },
  { additionalProperties: false },
);
export type ConnectionPeriod = Static<typeof ConnectionPeriodSchema>;

export const SvmReportSchema = Type.Object(
  {
    biosId: BiosIdSchema,
    name: InfrastructureNameSchema,
    /** Where Light Agents reach the Protection Server; differs from the management address behind NAT. */
    agentAddress: NetworkAddressSchema,
    agentPorts: PortListSchema,
    managementAddress: NetworkAddressSchema,
    /** Null while the SVM cannot resolve its own path (klconfig errors 0060–0062). */
    path: nullable(InfrastructurePathRequestSchema),
    version: ProductVersionSchema,
    licence: SvmLicenceSchema,
    /** "Average load of the Protection Server", in the SVM's own unit; only ever compared. */
    averageLoad: Type.Number({ minimum: 0, maximum: 10_000 }),
    connectedAgents: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    channelEncryption: Type.Enum(CHANNEL_ENCRYPTION_MODES),
    connectionTags: ConnectionTagsSchema,
    largeInfrastructureMode: Type.Boolean(),
    updateSource: UpdateSourceSchema,
    connectionPeriods: Type.Array(ConnectionPeriodSchema, { maxItems: 10_000 }),
  },
  { additionalProperties: false },
);
export type SvmReport = Static<typeof SvmReportSchema>;

export const DEFAULT_REPORT_INTERVAL_SECONDS = 300;

export const SvmReportAnswerSchema = Type.Object({
  /** When to report next. */
  nextReportSeconds: Type.Integer({ minimum: 1, maximum: 86_400, default: DEFAULT_REPORT_INTERVAL_SECONDS }),
});
export type SvmReportAnswer = Static<typeof SvmReportAnswerSchema>;

// ---------------------------------------------------------------------------------------------
// POST /api/agents/v1/agent/discover  (account `agent`)
// ---------------------------------------------------------------------------------------------

export const StandardAlgorithmSchema = Type.Object(
  { kind: Type.Literal('standard') },
  { additionalProperties: false },
);
export const ExtendedAlgorithmSchema = Type.Object(
  { kind: Type.Literal('extended'), scope: Type.Enum(EXTENDED_SCOPES) },
  { additionalProperties: false },
);
/** The LA policy's "SVM selection algorithm" (domain.md §1.3, §1.4). */
export const SelectionAlgorithmSchema = Type.Union([StandardAlgorithmSchema, ExtendedAlgorithmSchema]);
export type SelectionAlgorithm = Static<typeof SelectionAlgorithmSchema>;
/** The same, in request bodies (see TaggedUnion). */
const SelectionAlgorithmRequestSchema = TaggedUnion('kind', [StandardAlgorithmSchema, ExtendedAlgorithmSchema]);

export const DiscoverRequestSchema = Type.Object(
  {
    vmBiosId: BiosIdSchema,
    vmName: InfrastructureNameSchema,
    osKind: Type.Enum(OS_KINDS),
    osFamily: Type.Enum(OS_FAMILIES),
    agentVersion: ProductVersionSchema,
    /** The LA's connection tag; null when it has none. */
    connectionTag: nullable(ConnectionTagSchema),
    /** "Protecting the connection" is on in the LA policy. */
    requiresConnectionProtection: Type.Boolean(),
    algorithm: SelectionAlgorithmRequestSchema,
    /** Only read when the server's inventory does not know the VM. */
    path: Type.Optional(InfrastructurePathRequestSchema),
    /**
     * The SVM the agent is connected to now, null when none. The server counts an agent against
     * the SVM it will use; without this it must guess from the SVMs' last reports, which still
     * list an agent whose SVM has just died.
     */
    connectedSvmId: Type.Optional(nullable(BiosIdSchema)),
  },
  { additionalProperties: false },
);
export type DiscoverRequest = Static<typeof DiscoverRequestSchema>;

/** One SVM as handed to a Light Agent, best first in the answer. */
export const DiscoveredSvmSchema = Type.Object({
  id: BiosIdSchema,
  name: InfrastructureNameSchema,
  address: NetworkAddressSchema,
  ports: PortListSchema,
  averageLoad: Type.Number({ minimum: 0, maximum: 10_000 }),
  /** Last: the one field that changes between an SVM's reports (the answer is written around it). */
  connectedAgents: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
});
export type DiscoveredSvm = Static<typeof DiscoveredSvmSchema>;

export const ASK_AGAIN_WHILE_EMPTY_SECONDS = 30;
export const ASK_AGAIN_SECONDS = 300;

export const DiscoverAnswerSchema = Type.Object({
  svms: Type.Array(DiscoveredSvmSchema, { maxItems: 2_000 }),
  /** 30 s while the list is empty, else 300 s (domain.md §1.6). */
  askAgainSeconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
});
export type DiscoverAnswer = Static<typeof DiscoverAnswerSchema>;

// ---------------------------------------------------------------------------------------------
// Why an SVM was not offered (diagnostics, svm-info)
// ---------------------------------------------------------------------------------------------

export const SvmRejectionReasonSchema = Type.Object({
  code: Type.Enum(SVM_REJECTION_CODES),
  message: Type.String(),
});
export type SvmRejectionReason = Static<typeof SvmRejectionReasonSchema>;
