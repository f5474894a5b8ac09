import type { FastifyReply } from 'fastify';
import { TENANT_CODES } from '../../contract/tenants.ts';
import type { Outcome } from '../../services/tenant-service.ts';
import type { App, AppOptions } from '../types.ts';
import { attributeOf, assertXmlMediaType, childOf, fieldOf, isElementPresent, parseXmlBody } from './xml-request.ts';
import { queryParam, sendXml, sendXmlError, vendorActor } from './vendor-request.ts';
import { taskXml, tenantsXml, tenantXml, vmsXml, vmXml } from './xml-views.ts';
import type { Task } from '../../contract/tasks.ts';

type TenantParams = { tenantId: string };

const accepted = (reply: FastifyReply, task: Task) =>
  sendXml(reply.header('location', `/api/2.0/virtualization/tasks/${task.id}`), 202, taskXml(task));

const refused = (reply: FastifyReply, outcome: Extract<Outcome<unknown>, { ok: false }>) =>
  sendXmlError(reply, outcome.status, outcome.violation.code, outcome.violation.message);

/** Rows 1–9 of rest-api.md §6: tenants and their VMs. */
export async function tenantRoutes(app: App, { services }: AppOptions) {
  const { tenants } = services;

  app.get('/tenants', async (_req, reply) => {
    const all = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await tenants.list({ sort: 'created', order: 'asc', limit: 1000, offset });
      all.push(...page.items);
      if (page.items.length < 1000) break;
    }
    return sendXml(reply, 200, tenantsXml(all));
  });

  app.get<{ Params: TenantParams }>('/tenants/:tenantId', async (req, reply) => {
    const tenant = await tenants.get(req.params.tenantId);
    if (!tenant) return sendXmlError(reply, 404, TENANT_CODES.tenantNotFound, `There is no tenant with the id '${req.params.tenantId}'.`);
    return sendXml(reply, 200, tenantXml(tenant));
  });

  app.get<{ Params: TenantParams }>('/tenants/:tenantId/vms', async (req, reply) => {
    const vms = await tenants.listVms(req.params.tenantId);
    if (!vms) return sendXmlError(reply, 404, TENANT_CODES.tenantNotFound, `There is no tenant with the id '${req.params.tenantId}'.`);
    return sendXml(reply, 200, vmsXml(vms));
  });

  app.post('/tenants', async (req, reply) => {
    assertXmlMediaType(req.headers['content-type']);
    const { value: tenant } = parseXmlBody(req.body, ['tenant']);
    const vKsc = childOf(tenant, 'vKsc');
    const user = childOf(vKsc, 'user');
    const outcome = await tenants.create(
      {
        name: fieldOf(tenant, 'name'),
        description: fieldOf(tenant, 'description'),
        userData: fieldOf(tenant, 'userData'),
        preferredViisAddress: fieldOf(tenant, 'preferredViisAddress'),
        type: fieldOf(tenant, 'type'),
        adminGiven: isElementPresent(tenant, 'vKsc'),
        adminName: fieldOf(user, 'name'),
        adminPassword: fieldOf(user, 'password'),
        adminPasswordEncoding: 'base64',
      },
      vendorActor(req),
    );
    if (!outcome.ok) return refused(reply, outcome);
    return accepted(reply, outcome.value);
  });

  for (const change of ['activate', 'deactivate'] as const) {
    app.post<{ Params: TenantParams }>(`/tenants/:tenantId/${change}`, async (req, reply) =>
      accepted(reply, await tenants.changeActivation(req.params.tenantId, change, vendorActor(req))),
    );
  }

  app.post<{ Params: TenantParams }>('/tenants/:tenantId/vms/register', async (req, reply) => {
    assertXmlMediaType(req.headers['content-type']);
    const { root, value } = parseXmlBody(req.body, ['vm', 'vms']);
    const nodes = root === 'vm' ? [value] : ((childOf(value, 'vm') as unknown[] | undefined) ?? []);
    const outcome = await tenants.registerVms(
      req.params.tenantId,
      nodes.map((vm) => ({ biosId: attributeOf(vm, 'biosId'), name: fieldOf(vm, 'name'), userData: fieldOf(vm, 'userData') })),
      vendorActor(req),
    );
    if (!outcome.ok) return refused(reply, outcome);
    return sendXml(reply, 200, root === 'vm' ? vmXml(outcome.value[0]!) : vmsXml(outcome.value));
  });

  app.post<{ Params: TenantParams }>('/tenants/:tenantId/vms/unregister', async (req, reply) => {
    const biosId = queryParam(req, 'biosId');
    const vmId = queryParam(req, 'vmId');
    if (typeof biosId === 'object' || typeof vmId === 'object') {
      return sendXmlError(reply, 400, TENANT_CODES.invalidValue, 'Give biosId or vmId once.');
    }
    const outcome = await tenants.unregisterVm(req.params.tenantId, { ...(biosId !== undefined ? { biosId } : {}), ...(vmId !== undefined ? { vmId } : {}) }, vendorActor(req));
    if (!outcome.ok) return refused(reply, outcome);
    return sendXml(reply, 200, vmXml(outcome.value));
  });

  app.delete<{ Params: TenantParams }>('/tenants/:tenantId', async (req, reply) => {
    const raw = queryParam(req, 'removeTenantArtifacts');
    if (typeof raw === 'object' || (raw !== undefined && !/^(true|false)$/i.test(raw))) {
      return sendXmlError(reply, 400, TENANT_CODES.invalidValue, 'removeTenantArtifacts must be true or false.');
    }
    return accepted(reply, await tenants.remove(req.params.tenantId, raw?.toLowerCase() === 'true', vendorActor(req)));
  });
}
