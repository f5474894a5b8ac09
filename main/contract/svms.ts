// The SVM registry and svm-info as the JSON API and the live channel show them (issue 6 items 4, 5).
import { Type, type Static, type TSchema } from 'typebox';
import {
  BiosIdSchema,
  ConnectionTagsSchema,
  InfrastructurePathSchema,
  NetworkAddressSchema,
  PortListSchema,
  SelectionAlgorithmSchema,
  SvmRejectionReasonSchema,
  UpdateSourceSchema,
} from './agents.ts';

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const SVM_STATES = ['fresh', 'stale'] as const;
export type SvmState = (typeof SVM_STATES)[number];

export const SvmIdentityConflictSchema = Type.Object({
  at: Type.String({ format: 'date-time' }),
  previousAddress: Type.String(),
  address: Type.String(),
});

export const SvmSummarySchema = Type.Object({
  id: BiosIdSchema,
  name: Type.String(),
  agentAddress: NetworkAddressSchema,
  agentPorts: PortListSchema,
  managementAddress: NetworkAddressSchema,
  path: nullable(InfrastructurePathSchema),
  version: Type.String(),
  licence: Type.Object({
    edition: nullable(Type.String()),
    keyType: Type.String(),
    expires: nullable(Type.String()),
    denylisted: Type.Boolean(),
    addOns: Type.Array(Type.String()),
    /** A key is added, not denylisted and not expired, now. */
    valid: Type.Boolean(),
  }),
  averageLoad: Type.Number(),
  /** As the SVM last reported. */
  connectedAgents: Type.Integer(),
  /** Light Agents this server has pointed at the SVM since that report. */
  pendingAgents: Type.Integer(),
  channelEncryption: Type.String(),
  connectionTags: ConnectionTagsSchema,
  largeInfrastructureMode: Type.Boolean(),
  updateSource: UpdateSourceSchema,
  lastReportAt: Type.String({ format: 'date-time' }),
  reportIntervalSeconds: Type.Number(),
  firstSeenAt: Type.String({ format: 'date-time' }),
  state: Type.Enum(SVM_STATES),
  /** Set when another machine reported this SVM's identity from a different address. */
  identityConflict: nullable(SvmIdentityConflictSchema),
});
export type SvmSummary = Static<typeof SvmSummarySchema>;

export const SvmListQuerySchema = Type.Object({
  state: Type.Optional(Type.Enum(SVM_STATES)),
  nameContains: Type.Optional(Type.String({ maxLength: 255 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});
export type SvmListQuery = Static<typeof SvmListQuerySchema>;

/** SVMs and protected VMs at a glance: in the SVM list, and on the live channel when it changes. */
export const AgentsSummarySchema = Type.Object({
  at: Type.String({ format: 'date-time' }),
  svmsFresh: Type.Integer(),
  svmsStale: Type.Integer(),
  /** Light Agents that have asked this server. */
  vmsKnown: Type.Integer(),
  /** VMs whose agent a fresh SVM's last report lists as connected. */
  vmsConnected: Type.Integer(),
  /** Known VMs not connected to any fresh SVM. */
  vmsUnprotected: Type.Integer(),
  /** Known VMs whose last answer was the sentinel of an inactive Complete tenant. */
  vmsWithSentinel: Type.Integer(),
});

export const SvmListSchema = Type.Object({
  items: Type.Array(SvmSummarySchema),
  total: Type.Integer(),
  fresh: Type.Integer(),
  stale: Type.Integer(),
  /** The counts as they are now: the live channel only sends them again when they change. */
  agents: AgentsSummarySchema,
});
export type SvmList = Static<typeof SvmListSchema>;

// ---------------------------------------------------------------------------------------------
// svm-info: for any VM, which SVM it should use and why not the others
// ---------------------------------------------------------------------------------------------

export const SvmInfoQuerySchema = Type.Object({ vm: Type.String({ minLength: 1, maxLength: 255 }) });

/**
 * svm-info asked by a name that several VMs share (clones, VDI pools): the usual error body, and each
 * of those VMs, the latest to ask first, so that a client can ask again by BIOS UUID.
 */
export const SvmInfoSameNameSchema = Type.Object({
  statusCode: Type.Literal(409),
  code: Type.Literal('VM_NAME_AMBIGUOUS'),
  error: Type.String(),
  message: Type.String(),
  vms: Type.Array(Type.Object({ biosId: Type.String(), name: Type.String(), lastAskedAt: Type.String({ format: 'date-time' }) })),
});
export type SvmInfoSameName = Static<typeof SvmInfoSameNameSchema>;

const SvmRefSchema = Type.Object({ id: Type.String(), name: Type.String(), address: Type.String(), ports: Type.Array(Type.Integer()) });

export const SvmInfoSchema = Type.Object({
  vm: Type.Object({ biosId: Type.String(), name: Type.String() }),
  lastAskedAt: Type.String({ format: 'date-time' }),
  integrationServer: Type.String(),
  discoveryMethod: Type.Literal('Integration Server'),
  algorithm: SelectionAlgorithmSchema,
  connectionTag: nullable(Type.String()),
  connectionProtection: Type.Boolean(),
  osKind: Type.String(),
  osFamily: Type.String(),
  agentVersion: Type.String(),
  path: nullable(InfrastructurePathSchema),
  /** Where the VM's path came from: our inventory, what the agent sent, or nowhere. */
  pathSource: Type.Enum(['inventory', 'agent', 'unknown'] as const),
  tenant: nullable(Type.Object({ type: Type.String(), status: Type.String() })),
  /** `svm`: a real SVM to use; `sentinel`: the unreachable address of an inactive Complete tenant; `none`: nothing eligible. */
  outcome: Type.Enum(['svm', 'sentinel', 'none'] as const),
  svm: nullable(
    Type.Object({
      ...SvmRefSchema.properties,
      version: Type.String(),
      licence: Type.Object({ edition: nullable(Type.String()), keyType: Type.String(), valid: Type.Boolean() }),
      local: Type.Boolean(),
      path: nullable(InfrastructurePathSchema),
      connectedAgents: Type.Integer(),
      averageLoad: Type.Number(),
    }),
  ),
  /** The rest of the list the agent would get, in order. */
  alternatives: Type.Array(SvmRefSchema),
  /** The SVM whose last report says this VM's agent is connected to it. */
  connectedTo: nullable(Type.Object({ id: Type.String(), name: Type.String() })),
  rejected: Type.Array(
    Type.Object({ ...SvmRefSchema.properties, state: Type.Enum(SVM_STATES), reasons: Type.Array(SvmRejectionReasonSchema) }),
  ),
});
export type SvmInfo = Static<typeof SvmInfoSchema>;

// ---------------------------------------------------------------------------------------------
// Live channel
// ---------------------------------------------------------------------------------------------

/**
 * `up`: first report; `stale`: silent for too long, no longer offered; `back`: reported again;
 * `removed`: an administrator made the server forget a stale SVM.
 */
export type SvmStateEvent = { id: string; name: string; state: 'up' | 'stale' | 'back' | 'removed'; at: string };

export type AgentsSummaryEvent = Static<typeof AgentsSummarySchema>;
