import { XMLBuilder } from 'fast-xml-parser';
import type { Task } from '../../contract/tasks.ts';
import { TENANT_TASK_TYPES, type Tenant, type TenantVm } from '../../contract/tenants.ts';
import { toVendorTime } from './vendor-time.ts';

/**
 * The vendor's XML representations (rest-api.md §2), element and attribute names exactly as
 * documented. Lists are wrapped in `<tenants>`, `<vms>`, `<tasks>` (the vendor documents no wrapper).
 */
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', cdataPropName: '#cdata', format: false, suppressEmptyNode: false });
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

type Node = Record<string, unknown>;

// XML 1.0 cannot carry most control characters at all; a message from the Administration Server might.
const xmlSafe = (s: string): string => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');

/** userData is shown as CDATA, as the vendor does; text that would end a CDATA section is escaped instead. */
const cdata = (s: string): unknown => (s.includes(']]>') ? xmlSafe(s) : { '#cdata': xmlSafe(s) });

export function tenantNode(t: Tenant): Node {
  return {
    '@_id': t.id,
    '@_created': toVendorTime(t.created),
    '@_updated': toVendorTime(t.updated),
    name: xmlSafe(t.name),
    description: xmlSafe(t.description),
    userData: cdata(t.userData),
    ...(t.vKsc ? { vKsc: { ...(t.vKsc.id !== null ? { '@_id': String(t.vKsc.id) } : {}), user: { name: xmlSafe(t.vKsc.adminName) } } } : {}),
    status: t.status,
    type: t.type,
  };
}

export function vmNode(v: TenantVm): Node {
  return { '@_id': v.id, '@_biosId': v.biosId, '@_created': toVendorTime(v.created), '@_updated': toVendorTime(v.updated), name: xmlSafe(v.name), userData: cdata(v.userData) };
}

const TENANT_RESULTS: ReadonlySet<string> = new Set([TENANT_TASK_TYPES.create, TENANT_TASK_TYPES.delete]);

/**
 * A task's `<result>` by type: the tenant for CreateTenant and DeleteTenant, `true` for activation.
 * Other features' tasks (SVM deployment…) show their result as JSON text until they define an element.
 */
function resultNode(type: string, result: unknown): unknown {
  if (result === null || result === undefined) return '';
  if (TENANT_RESULTS.has(type) && typeof result === 'object') return { tenant: tenantNode(result as Tenant) };
  if (typeof result === 'object') return xmlSafe(JSON.stringify(result));
  return xmlSafe(String(result));
}

export function taskNode(t: Task): Node {
  return {
    '@_id': t.id,
    '@_created': toVendorTime(t.created),
    '@_stateChanged': toVendorTime(t.stateChanged),
    '@_changed': toVendorTime(t.changed),
    ...(t.parentId ? { '@_parentId': t.parentId } : {}),
    state: t.state,
    type: t.type,
    stage: xmlSafe(t.stage),
    progress: String(t.progress),
    ...(t.error ? { error: { code: t.error.code, message: xmlSafe(t.error.message) } } : { result: resultNode(t.type, t.result) }),
  };
}

const document = (root: string, node: unknown): string => DECLARATION + builder.build({ [root]: node });

export const tenantXml = (t: Tenant) => document('tenant', tenantNode(t));
export const tenantsXml = (ts: readonly Tenant[]) => document('tenants', ts.length ? { tenant: ts.map(tenantNode) } : '');
export const vmXml = (v: TenantVm) => document('vm', vmNode(v));
export const vmsXml = (vs: readonly TenantVm[]) => document('vms', vs.length ? { vm: vs.map(vmNode) } : '');
export const taskXml = (t: Task) => document('task', taskNode(t));
export const tasksXml = (ts: readonly Task[]) => document('tasks', ts.length ? { task: ts.map(taskNode) } : '');
