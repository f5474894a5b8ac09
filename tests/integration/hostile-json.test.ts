import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import AjvCompiler from '@fastify/ajv-compiler';
import { generate } from 'json-schema-faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VALIDATOR_OPTIONS } from '../../main/server.ts';
import { inProcessServer } from '../support/in-process-server.ts';

/**
 * Every JSON body the JSON API and the agent protocol take, read from the server's own OpenAPI
 * document so that a route is covered the day it lands. Each case is a body valid for its route
 * (made from the route's schema and checked with Fastify's own validator) but for one defect:
 * a required field missing, a field of the wrong type, a string too long, a number out of range,
 * an array too long. Every answer must be a 400 whose message names the field, the server must
 * keep serving, and nothing stored may change.
 */
type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  maxLength?: number;
  maximum?: number;
  minimum?: number;
  maxItems?: number;
  nullable?: boolean;
  additionalProperties?: boolean | Schema;
  patternProperties?: Record<string, Schema>;
  discriminator?: { propertyName: string };
  format?: string;
};
type Parameter = { in: string; name: string; schema: Schema };
type OpenApiDocument = { paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> } }>> };
type Operation = { method: string; path: string; url: string; account: 'admin' | 'svm' | 'agent'; body: Schema };
type Defect = { name: string; at: Array<string | number>; field: string; change: (value: unknown) => unknown };
const MISSING = Symbol('missing');

let lab: Awaited<ReturnType<typeof inProcessServer>>;
let doc: OpenApiDocument;
let operations: Operation[] = [];
let before: string;

/** All rows of every table, in a fixed order (some tables have no rowid). */
function storedState(): string {
  const db = new DatabaseSync(join(lab.dataDir, 'lightkeeper.sqlite'), { readOnly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>;
    return JSON.stringify(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}"`).all().map((row) => JSON.stringify(row)).sort()]));
  } finally {
    db.close();
  }
}

const accountFor = (path: string): Operation['account'] => (path.startsWith('/api/agents/v1/svm/') ? 'svm' : path.startsWith('/api/agents/v1/agent/') ? 'agent' : 'admin');

/** The document's path with each parameter replaced by a value its own schema accepts. */
async function urlFor(path: string, parameters: Parameter[], seed: number): Promise<string> {
  let url = path;
  for (const p of parameters.filter((x) => x.in === 'path')) url = url.replace(`{${p.name}}`, encodeURIComponent(String(await generate(p.schema, { seed }))));
  return url;
}

beforeAll(async () => {
  lab = await inProcessServer({ logLevel: 'warn' });
  doc = (await lab.server.app.inject({ method: 'GET', url: '/api/v1/openapi.json', headers: lab.auth('admin') })).json() as OpenApiDocument;
  let seed = 1;
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/v1/') && !path.startsWith('/api/agents/v1/')) continue;
    for (const [method, op] of Object.entries(methods)) {
      const body = op.requestBody?.content['application/json']?.schema;
      if (body) operations.push({ method: method.toUpperCase(), path, url: await urlFor(path, op.parameters ?? [], seed++), account: accountFor(path), body });
    }
  }
  operations = operations.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  before = storedState();
});
afterAll(async () => {
  await lab?.server.stop();
});

const typesOf = (s: Schema): Set<string> => {
  const types = new Set<string>([s.type ?? []].flat());
  for (const branch of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) for (const t of typesOf(branch)) types.add(t);
  for (const v of s.enum ?? []) types.add(v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (s.nullable) types.add('null');
  return types;
};

/**
 * A value of a JSON type the schema does not take, and that Fastify's coercion (`coerceTypes:
 * 'array'`) cannot turn into one it does: an object, else a two-item array, else text that is no
 * number and no boolean.
 */
function wrongTypeFor(s: Schema): unknown {
  const types = typesOf(s);
  if (!types.has('object')) return { unexpected: true };
  if (!types.has('array')) return ['unexpected', 'array'];
  return 'neither a number nor a boolean';
}

/** Defects for one value and, through plain objects and arrays, for what it holds. */
function defectsOf(s: Schema, at: Array<string | number>, field: string, sample: unknown): Defect[] {
  const where = at.length ? at.join('/') : 'the body';
  const out: Defect[] = [{ name: `${where} of the wrong type`, at, field, change: () => wrongTypeFor(s) }];
  if (typeof s.maxLength === 'number') out.push({ name: `${where} longer than ${s.maxLength}`, at, field, change: () => 'x'.repeat(s.maxLength! + 1) });
  if (typeof s.maximum === 'number') out.push({ name: `${where} above ${s.maximum}`, at, field, change: () => s.maximum! + 1 });
  if (typeof s.minimum === 'number') out.push({ name: `${where} below ${s.minimum}`, at, field, change: () => s.minimum! - 1 });
  if (s.properties && sample && typeof sample === 'object' && !Array.isArray(sample)) {
    for (const name of s.required ?? []) out.push({ name: `${[...at, name].join('/')} missing`, at: [...at, name], field: name, change: () => MISSING });
    for (const [name, child] of Object.entries(s.properties)) {
      const value = (sample as Record<string, unknown>)[name];
      if (value !== undefined) out.push(...defectsOf(child, [...at, name], name, value));
    }
  }
  if (s.items && Array.isArray(sample) && sample.length > 0) {
    if (typeof s.maxItems === 'number') out.push({ name: `${where} with more than ${s.maxItems} items`, at, field, change: (v) => Array.from({ length: s.maxItems! + 1 }, () => (v as unknown[])[0]) });
    out.push(...defectsOf(s.items, [...at, 0], field, sample[0]));
  }
  return out;
}

function withDefect(valid: unknown, defect: Defect): unknown {
  const copy = structuredClone(valid);
  if (defect.at.length === 0) return defect.change(copy);
  let parent = copy as Record<string | number, unknown>;
  for (const key of defect.at.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = defect.at[defect.at.length - 1]!;
  const changed = defect.change(parent[last]);
  if (changed === MISSING) delete parent[last];
  else parent[last] = changed;
  return copy;
}

async function send(op: Operation, payload: string, contentType = 'application/json') {
  return lab.server.app.inject({ method: op.method, url: op.url, headers: { ...lab.auth(op.account), 'content-type': contentType }, payload });
}

describe('hostile input on every JSON route', () => {
  it('finds the routes that take JSON in the OpenAPI document', () => {
    const paths = operations.map((o) => `${o.method} ${o.path}`);
    expect(paths).toContain('POST /api/agents/v1/agent/discover');
    expect(paths).toContain('POST /api/agents/v1/svm/report');
    expect(paths).toContain('POST /api/v1/tenants');
    expect(paths).toContain('PUT /api/v1/accounts/{name}/password');
    expect(operations.length).toBeGreaterThan(20);
  });

  it('closes every object a body may hold, so that unknown fields are dropped before a handler stores them', () => {
    // OpenAPI 3.0 has no null type: the document spells it as a nullable object that is only null.
    const isNull = (x: Schema) => x.nullable === true && x.enum?.length === 1 && x.enum[0] === null;
    const problems: string[] = [];
    const walk = (x: Schema, at: string) => {
      if (isNull(x)) return;
      const branches = [...(x.anyOf ?? []), ...(x.oneOf ?? [])];
      // Fastify strips unknown fields while it tries a branch, so a later branch would see the body
      // without them (an extended algorithm lost its scope): object unions pick a branch by tag.
      if (branches.filter((b) => b.type === 'object').length > 1 && !x.discriminator) problems.push(`${at}: a union of objects without a discriminator`);
      // A map (declared value schema, free keys) is open on purpose; a tagged union's branches are closed.
      const closed = x.additionalProperties === false || typeof x.additionalProperties === 'object' || x.patternProperties !== undefined || x.discriminator !== undefined;
      if (x.type === 'object' && !closed) problems.push(`${at}: unknown fields are kept`);
      for (const [name, child] of Object.entries(x.properties ?? {})) walk(child, `${at}/${name}`);
      if (x.items) walk(x.items, `${at}/0`);
      for (const b of branches) walk(b, at);
    };
    for (const op of operations) walk(op.body, `${op.method} ${op.path} body`);
    expect(problems).toEqual([]);
  });

  /** Whether validation kept everything sent (it may add defaults, never drop or change a field). */
  const keeps = (sent: unknown, checked: unknown): boolean => {
    if (Array.isArray(sent)) return Array.isArray(checked) && sent.length === checked.length && sent.every((v, i) => keeps(v, checked[i]));
    if (sent && typeof sent === 'object') return !!checked && typeof checked === 'object' && Object.entries(sent).every(([k, v]) => keeps(v, (checked as Record<string, unknown>)[k]));
    return sent === checked;
  };

  it('takes every body its schema allows, as it was sent: validation drops no declared field', async () => {
    const validator = AjvCompiler()({}, VALIDATOR_OPTIONS);
    const problems: string[] = [];
    for (const op of operations) {
      const validate = validator({ schema: op.body, method: op.method, url: op.path, httpPart: 'body' });
      for (let seed = 1; seed <= 40; seed++) {
        const body = await generate(op.body, { seed, optionalsProbability: 0.5, maxItems: 3, maxLength: 100 });
        const checked = structuredClone(body);
        if (!validate(checked)) problems.push(`${op.method} ${op.path}, seed ${seed}: refused ${JSON.stringify(body)}: ${JSON.stringify(validate.errors)}`);
        else if (!keeps(body, checked)) problems.push(`${op.method} ${op.path}, seed ${seed}: ${JSON.stringify(body)} became ${JSON.stringify(checked)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('refuses each body with one defect with a 400 that names the field, and stores nothing', async () => {
    const validator = AjvCompiler()({}, VALIDATOR_OPTIONS);
    const failures: string[] = [];
    let cases = 0;
    for (const [i, op] of operations.entries()) {
      const validate = validator({ schema: op.body, method: op.method, url: op.path, httpPart: 'body' });
      // Few array items and short strings: so that a copy of an item past an array's maxItems stays
      // within the route's body limit, and the 400 for the item count is what comes back.
      const valid = await generate(op.body, { seed: 1000 + i, alwaysFakeOptionals: true, maxItems: 3, maxLength: 100 });
      // The defect must be the only thing wrong, or the answer could rightly name another field.
      expect(validate(structuredClone(valid)), `${op.method} ${op.path}: the generated body is not valid: ${JSON.stringify(validate.errors)}`).toBe(true);
      for (const defect of defectsOf(op.body, [], 'body', valid)) {
        const body = withDefect(valid, defect);
        // Some defects are no defect for this schema (a value already of every JSON type it takes).
        if (validate(structuredClone(body))) continue;
        cases++;
        const reply = await send(op, JSON.stringify(body));
        const answer = reply.json() as { code?: string; message?: string };
        if (reply.statusCode !== 400 || typeof answer.message !== 'string' || !answer.message.includes(defect.field)) {
          failures.push(`${op.method} ${op.url} with ${defect.name}: ${reply.statusCode} ${reply.body.slice(0, 300)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThan(200);
    expect(storedState()).toBe(before);
  });

  it('refuses bodies that are not JSON, are empty, or come as another media type, saying which', async () => {
    const failures: string[] = [];
    for (const op of operations) {
      for (const [payload, contentType, status] of [
        ['{"unterminated": ', 'application/json', 400],
        ['', 'application/json', 400],
        ['{}', 'text/plain', 415],
        ['a=1', 'application/x-www-form-urlencoded', 415],
      ] as const) {
        const reply = await send(op, payload, contentType);
        const answer = reply.json() as { message?: string };
        if (reply.statusCode !== status || typeof answer.message !== 'string' || answer.message.length === 0) {
          failures.push(`${op.method} ${op.url} with ${JSON.stringify(payload)} as ${contentType}: ${reply.statusCode} ${reply.body.slice(0, 300)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(storedState()).toBe(before);
  });

  it('refuses a body over the route\'s limit with a 413 that states the limit exactly', async () => {
    // An array of one string: no route takes it, so a body within the limit gets its 400.
    const padded = (bytes: number) => `["${'x'.repeat(bytes - 4)}"]`;
    const failures: string[] = [];
    for (const op of operations) {
      const over = await send(op, padded(8 * 1024 * 1024));
      const stated = /at most ([\d,]+) bytes/.exec((over.json() as { message?: string }).message ?? '')?.[1];
      if (over.statusCode !== 413 || !stated) {
        failures.push(`${op.method} ${op.url} with 8 MiB: ${over.statusCode} ${over.body.slice(0, 300)}`);
        continue;
      }
      const limit = Number(stated.replaceAll(',', ''));
      const [atLimit, pastLimit] = [await send(op, padded(limit)), await send(op, padded(limit + 1))];
      if (atLimit.statusCode !== 400 || pastLimit.statusCode !== 413) failures.push(`${op.method} ${op.url}: states ${limit} bytes, but ${limit} → ${atLimit.statusCode} and ${limit + 1} → ${pastLimit.statusCode}`);
    }
    expect(failures).toEqual([]);
    expect(storedState()).toBe(before);
  });

  it('refuses a query parameter its schema does not allow with a 400 that names it, on every route', async () => {
    const failures: string[] = [];
    let cases = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/v1/')) continue;
      for (const [method, op] of Object.entries(methods)) {
        const url = await urlFor(path, op.parameters ?? [], 7);
        for (const p of (op.parameters ?? []).filter((x) => x.in === 'query')) {
          const s = p.schema;
          const types = typesOf(s);
          const bad = [
            ...(types.has('integer') || types.has('number') ? ['twelve'] : []),
            ...(typeof s.maximum === 'number' ? [String(s.maximum + 1)] : []),
            ...(typeof s.minimum === 'number' ? [String(s.minimum - 1)] : []),
            ...(typeof s.maxLength === 'number' ? ['x'.repeat(s.maxLength + 1)] : []),
            ...(s.format === 'date-time' ? ['yesterday'] : []),
            ...(s.enum || s.anyOf ? ['none-of-these'] : []),
            ...(types.has('boolean') ? ['perhaps'] : []),
          ];
          for (const value of bad) {
            cases++;
            const reply = await lab.server.app.inject({ method: method.toUpperCase() as 'GET', url: `${url}?${p.name}=${encodeURIComponent(value)}`, headers: lab.auth('admin') });
            const message = (reply.json() as { message?: string }).message ?? '';
            if (reply.statusCode !== 400 || !message.includes(p.name)) failures.push(`${method.toUpperCase()} ${url}?${p.name}=${value.slice(0, 20)}: ${reply.statusCode} ${reply.body.slice(0, 200)}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThan(30);
    expect(storedState()).toBe(before);
  });

  it('keeps serving', async () => {
    const health = await lab.server.app.inject({ method: 'GET', url: '/api/v1/health', headers: lab.auth('admin') });
    expect(health.statusCode).toBe(200);
  });
});
