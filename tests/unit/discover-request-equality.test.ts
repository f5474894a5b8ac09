// Two discovery requests are the same exactly when they say the same in every field the contract
// declares: a deep comparison (dequal) is the oracle, and every field of the schema, in every
// shape of the algorithm and the path, is changed alone and must be noticed.
import { dequal } from 'dequal';
import fc from 'fast-check';
import type { TSchema } from 'typebox';
import { describe, expect, it } from 'vitest';
import { DiscoverRequestSchema, EXTENDED_SCOPES, OS_FAMILIES, OS_KINDS, type DiscoverRequest } from '../../main/contract/agents.ts';
import { sameDiscoverRequest } from '../../main/domain/discover-request-equality.ts';
import { pathArb } from './svm-selection.arbitraries.ts';

const BIOS = ['3f2504e0-4f89-11d3-9a0c-0305e82c3301', '3f2504e0-4f89-11d3-9a0c-0305e82c3302'];

/** Small vocabularies, so that equal requests come up often. */
const requestArb: fc.Arbitrary<DiscoverRequest> = fc.record(
  {
    vmBiosId: fc.constantFrom(...BIOS),
    vmName: fc.constantFrom('vm-1', 'vm-2'),
    osKind: fc.constantFrom(...OS_KINDS),
    osFamily: fc.constantFrom(...OS_FAMILIES),
    agentVersion: fc.constantFrom('12.1.0.1', '12.2.0.1'),
    connectionTag: fc.constantFrom(null, 'gold'),
    requiresConnectionProtection: fc.boolean(),
    algorithm: fc.oneof(fc.constant({ kind: 'standard' as const }), fc.record({ kind: fc.constant('extended' as const), scope: fc.constantFrom(...EXTENDED_SCOPES) })),
    path: pathArb.filter((p) => p !== null).map((p) => p!),
    connectedSvmId: fc.constantFrom(null, ...BIOS),
  },
  { requiredKeys: ['vmBiosId', 'vmName', 'osKind', 'osFamily', 'agentVersion', 'connectionTag', 'requiresConnectionProtection', 'algorithm'] },
);

const everyField: DiscoverRequest = {
  vmBiosId: BIOS[0]!,
  vmName: 'vm-1',
  osKind: 'server',
  osFamily: 'linux',
  agentVersion: '12.1.0.1',
  connectionTag: 'gold',
  requiresConnectionProtection: false,
  algorithm: { kind: 'extended', scope: 'cluster' },
  path: { kind: 'virtualization', hypervisor: 'h1', cluster: 'c1', datacenter: 'd1' },
  connectedSvmId: BIOS[1]!,
};
const shapes: DiscoverRequest[] = [
  everyField,
  { ...everyField, algorithm: { kind: 'standard' }, path: { kind: 'openstack', project: 'p1', serverGroup: 'g1', availabilityZone: 'z1' } },
];

/** A value of the same type that is not equal to it. */
const other = (value: unknown): unknown => (typeof value === 'boolean' ? !value : value === null ? 'x' : `${String(value)}-other`);

/** Every leaf of a request (a path of keys), nested objects included. */
function leaves(value: object, at: string[] = []): string[][] {
  return Object.entries(value).flatMap(([k, v]) => (v !== null && typeof v === 'object' ? leaves(v, [...at, k]) : [[...at, k]]));
}

function changedAt(request: DiscoverRequest, path: string[]): DiscoverRequest {
  const copy = structuredClone(request) as unknown as Record<string, unknown>;
  let holder = copy;
  for (const key of path.slice(0, -1)) holder = holder[key] as Record<string, unknown>;
  const last = path.at(-1)!;
  holder[last] = other(holder[last]);
  return copy as unknown as DiscoverRequest;
}

const propertiesOf = (schema: TSchema): string[] => Object.keys((schema as { properties: object }).properties).sort();
/** A union's members: request unions are tagged (oneOf, contract/tagged-union.ts), others anyOf. */
const membersOf = (schema: TSchema): TSchema[] => {
  const union = schema as { anyOf?: TSchema[]; oneOf?: TSchema[] };
  return union.oneOf ?? union.anyOf!;
};

describe('whether two discovery requests say the same', () => {
  it('agrees with a deep comparison, for any two requests', () => {
    fc.assert(
      fc.property(requestArb, requestArb, (a, b) => {
        expect(sameDiscoverRequest(a, b)).toBe(dequal(a, b));
        expect(sameDiscoverRequest(a, structuredClone(a))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('the requests below hold every field of the schema, and every shape of the algorithm and the path', () => {
    const s = DiscoverRequestSchema.properties;
    for (const shape of shapes) expect(Object.keys(shape).sort()).toEqual(propertiesOf(DiscoverRequestSchema));
    expect(shapes.map((r) => Object.keys(r.algorithm).sort())).toEqual(membersOf(s.algorithm).map(propertiesOf).reverse());
    expect(shapes.map((r) => Object.keys(r.path!).sort())).toEqual(membersOf(s.path).map(propertiesOf));
  });

  it.each(shapes.flatMap((shape) => leaves(shape).map((path) => [path.join('.'), shape, path] as const)))('notices a change in %s alone', (_name, shape, path) => {
    expect(sameDiscoverRequest(shape, changedAt(shape, path))).toBe(false);
    expect(sameDiscoverRequest(changedAt(shape, path), shape)).toBe(false);
  });

  it('tells an absent connected SVM (unknown) from none, and an absent path from one', () => {
    const { connectedSvmId: _unknown, path: _noPath, ...bare } = everyField;
    expect(sameDiscoverRequest(bare, { ...bare, connectedSvmId: null })).toBe(false);
    expect(sameDiscoverRequest(bare, { ...bare, path: everyField.path! })).toBe(false);
    expect(sameDiscoverRequest({ ...bare, path: everyField.path! }, bare)).toBe(false);
  });
});
