import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ErrorBodySchema } from '../../contract/errors.ts';
import { TaskSchema } from '../../contract/tasks.ts';
import {
  CreateTenantRequestSchema,
  DeleteTenantQuerySchema,
  RegisterVmRequestSchema,
  TENANT_CODES,
  TenantListQuerySchema,
  TenantListSchema,
  TenantSchema,
  TenantVmListSchema,
  TenantVmSchema,
} from '../../contract/tenants.ts';
import type { Actor } from '../../services/audit-log.ts';
import type { Outcome } from '../../services/tenant-service.ts';
import type { App, AppOptions } from '../types.ts';

const TenantParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const VmParams = Type.Object({ id: Type.String({ maxLength: 64 }), vmId: Type.String({ maxLength: 64 }) });
const errors = { 400: ErrorBodySchema, 404: ErrorBodySchema, 409: ErrorBodySchema };

const actor = (req: FastifyRequest): Actor => ({ account: req.account ?? 'unknown', address: req.ip, channel: 'json-api' });

const fail = (reply: FastifyReply, status: number, code: string, message: string) =>
  reply.code(status).send({ statusCode: status, code, error: STATUS_CODES[status] ?? 'Error', message });
const refused = (reply: FastifyReply, o: Extract<Outcome<unknown>, { ok: false }>) => fail(reply, o.status, o.violation.code, o.violation.message);
const noTenant = (reply: FastifyReply, id: string) => fail(reply, 404, TENANT_CODES.tenantNotFound, `There is no tenant with the id '${id}'.`);

/** The console's tenant API (issue 5 item 7): the same use cases and codes as the vendor API, in JSON. */
export async function tenantRoutes(app: App, { services }: AppOptions) {
  const { tenants } = services;
  const tags = ['tenants'];

  app.get('/tenants', { schema: { tags, querystring: TenantListQuerySchema, response: { 200: TenantListSchema } } }, async (req) => tenants.list(req.query));

  app.get('/tenants/:id', { schema: { tags, params: TenantParams, response: { 200: TenantSchema, 404: ErrorBodySchema } } }, async (req, reply) => {
    const tenant = await tenants.get(req.params.id);
    return tenant ?? noTenant(reply, req.params.id);
  });

  app.post(
    '/tenants',
    { schema: { tags, summary: 'Create a tenant (starts a CreateTenant task)', body: CreateTenantRequestSchema, response: { 202: TaskSchema, ...errors } } },
    async (req, reply) => {
      const b = req.body;
      const outcome = await tenants.create(
        {
          name: b.name,
          description: b.description,
          userData: b.userData,
          preferredViisAddress: b.preferredViisAddress,
          type: b.type,
          adminGiven: b.admin !== undefined,
          adminName: b.admin?.name,
          adminPassword: b.admin?.password,
          adminPasswordEncoding: 'plain',
        },
        actor(req),
      );
      if (!outcome.ok) return refused(reply, outcome);
      return reply.code(202).header('location', `/api/v1/tasks/${outcome.value.id}`).send(outcome.value);
    },
  );

  for (const change of ['activate', 'deactivate'] as const) {
    app.post(`/tenants/:id/${change}`, { schema: { tags, params: TenantParams, response: { 202: TaskSchema } } }, async (req, reply) => {
      const task = await tenants.changeActivation(req.params.id, change, actor(req));
      return reply.code(202).header('location', `/api/v1/tasks/${task.id}`).send(task);
    });
  }

  app.delete(
    '/tenants/:id',
    { schema: { tags, params: TenantParams, querystring: DeleteTenantQuerySchema, response: { 202: TaskSchema } } },
    async (req, reply) => {
      const task = await tenants.remove(req.params.id, req.query.removeTenantArtifacts ?? false, actor(req));
      return reply.code(202).header('location', `/api/v1/tasks/${task.id}`).send(task);
    },
  );

  app.get('/tenants/:id/vms', { schema: { tags, params: TenantParams, response: { 200: TenantVmListSchema, 404: ErrorBodySchema } } }, async (req, reply) => {
    const vms = await tenants.listVms(req.params.id);
    if (!vms) return noTenant(reply, req.params.id);
    return { items: vms, total: vms.length };
  });

  app.post(
    '/tenants/:id/vms',
    { schema: { tags, summary: 'Register VMs by BIOS UUID', params: TenantParams, body: Type.Array(RegisterVmRequestSchema, { minItems: 1, maxItems: 1000 }), response: { 201: Type.Array(TenantVmSchema), ...errors } } },
    async (req, reply) => {
      const outcome = await tenants.registerVms(req.params.id, req.body, actor(req));
      if (!outcome.ok) return refused(reply, outcome);
      return reply.code(201).send(outcome.value);
    },
  );

  app.delete('/tenants/:id/vms/:vmId', { schema: { tags, params: VmParams, response: { 200: TenantVmSchema, ...errors } } }, async (req, reply) => {
    const outcome = await tenants.unregisterVm(req.params.id, { vmId: req.params.vmId }, actor(req));
    if (!outcome.ok) return refused(reply, outcome);
    return outcome.value;
  });
}
