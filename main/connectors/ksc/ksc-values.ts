/**
 * KSC OpenAPI's JSON encoding of its typed values: a top-level `params` argument is a plain
 * object, but a `params` inside an array is `{"type": "params", "value": {...}}`, and binary,
 * long and datetime values are `{"type": "binary" | "long" | "datetime", "value": …}`.
 */
import { KscError } from './ksc-error.ts';

export type KscParams = Record<string, unknown>;

export const kscParamsItem = (value: KscParams): { type: 'params'; value: KscParams } => ({ type: 'params', value });

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Accepts both the wrapped and the plain form, since servers differ in what they send back. */
export function unwrapParams(value: unknown): KscParams | undefined {
  if (!isRecord(value)) return undefined;
  if (value.type === 'params' && isRecord(value.value)) return value.value;
  return value;
}

/** An `int` or a `long` (`{"type": "long", "value": n}`) as a JS number. */
export function kscInteger(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (isRecord(value) && value.type === 'long') {
    const inner = typeof value.value === 'string' ? Number(value.value) : value.value;
    if (typeof inner === 'number' && Number.isInteger(inner)) return inner;
  }
  return undefined;
}

export function requireInteger(value: unknown, what: string, method: string): number {
  const n = kscInteger(value);
  if (n === undefined) {
    throw new KscError('KSC_ProtocolError', `${method} answered without ${what} (an integer was expected).`, { method });
  }
  return n;
}

export function requireString(value: unknown, what: string, method: string): string {
  if (typeof value !== 'string') {
    throw new KscError('KSC_ProtocolError', `${method} answered without ${what} (a string was expected).`, { method });
  }
  return value;
}
