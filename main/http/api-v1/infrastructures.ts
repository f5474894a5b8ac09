import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  AccessReportSchema,
  AddInfrastructureRequestSchema,
  ConfirmFingerprintRequestSchema,
  InfrastructureListSchema,
  InfrastructureSchema,
  InventorySchema,
  LifecycleErrorBodySchema,
  PeerIdentitySchema,
  ProbeRequestSchema,
} from '../../contract/infrastructure.ts';
import type { Actor } from '../../services/audit-log.ts';
import type { App, AppOptions } from '../types.ts';
import { handleLifecycleErrors } from './lifecycle-errors.ts';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const actor = (req: FastifyRequest): Actor => ({ account: req.account ?? 'unknown', address: req.ip, channel: 'json-api' });
const errors = { 400: LifecycleErrorBodySchema, 404: LifecycleErrorBodySchema, 409: LifecycleErrorBodySchema, 422: LifecycleErrorBodySchema, 502: LifecycleErrorBodySchema };

/** Hypervisor connections: probe (first contact), add with the confirmed identity, test, remove. */
export async function infrastructureRoutes(app: App, { services }: AppOptions) {
  const infra = services.svmLifecycle.infrastructures;
  handleLifecycleErrors(app);
  const tags = ['infrastructures'];

  app.get('/infrastructures', { schema: { tags, response: { 200: InfrastructureListSchema } } }, async () => ({ items: await infra.list() }));

  app.post('/infrastructures/probe', { schema: { tags, summary: 'Show the identity (SSH host key / TLS certificate) a host presents, without logging in', body: ProbeRequestSchema, response: { 200: PeerIdentitySchema, ...errors } } }, async (req) => infra.probe(req.body));

  app.post(
    '/infrastructures',
    { schema: { tags, summary: 'Add a connection; 409 with the presented identity until "fingerprint" confirms it', body: AddInfrastructureRequestSchema, response: { 201: InfrastructureSchema, ...errors } } },
    async (req, reply) => {
      const added = await infra.add(req.body);
      // Who connected what, and which identity was confirmed; never the credential.
      await services.audit.record(actor(req), 'infrastructure.add', added.id, { name: added.name, platform: added.platform, address: `${added.address}:${added.port}`, account: added.account, fingerprint: added.fingerprint });
      return reply.code(201).send(added);
    },
  );

  app.get('/infrastructures/:id', { schema: { tags, params: IdParams, response: { 200: InfrastructureSchema, ...errors } } }, async (req) => infra.get(req.params.id));

  app.post('/infrastructures/:id/test', { schema: { tags, summary: 'Reachability, pinned identity, credentials and rights: every check', params: IdParams, response: { 200: AccessReportSchema, ...errors } } }, async (req) => infra.test(req.params.id));

  app.get('/infrastructures/:id/inventory', { schema: { tags, summary: 'Hosts, storage, networks and VMs of the infrastructure', params: IdParams, response: { 200: InventorySchema, ...errors } } }, async (req) => infra.inventory(req.params.id));

  app.post(
    '/infrastructures/:id/fingerprint',
    { schema: { tags, summary: 'Pin a new identity after a deliberate key or certificate change', params: IdParams, body: ConfirmFingerprintRequestSchema, response: { 200: InfrastructureSchema, ...errors } } },
    async (req) => {
      const updated = await infra.confirmFingerprint(req.params.id, req.body.fingerprint);
      await services.audit.record(actor(req), 'infrastructure.fingerprint', updated.id, { fingerprint: updated.fingerprint });
      return updated;
    },
  );

  app.delete('/infrastructures/:id', { schema: { tags, params: IdParams, response: { 204: Type.Null(), ...errors } } }, async (req, reply) => {
    await infra.remove(req.params.id);
    await services.audit.record(actor(req), 'infrastructure.remove', req.params.id);
    return reply.code(204).send(null);
  });
}
