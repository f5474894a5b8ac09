import { Type, type Static, type TObject, type TUnion } from 'typebox';

/**
 * A request union of closed objects told apart by one tag property, for bodies: validated by its
 * tag first (ajv's `discriminator`, switched on in server.ts), then against that branch alone.
 *
 * Why not `Type.Union` (anyOf): Fastify's validator strips properties a closed object does not
 * declare (`removeAdditional`), and under anyOf it strips them while trying a branch that then
 * fails, so the next branch sees a body that has lost fields. An extended algorithm lost its
 * `scope` in the standard branch and every such discovery was refused.
 */
export function TaggedUnion<T extends TObject[]>(tag: string, branches: [...T]) {
  return Type.Unsafe<Static<TUnion<T>>>({ type: 'object', required: [tag], discriminator: { propertyName: tag }, oneOf: branches });
}
