import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { TenantSortField } from '../contract/tenants.ts';
import { tenantNameKey } from '../domain/tenant-rules.ts';
import { UniqueViolation, type TenantPatch, type TenantRecord, type TenantsRepository, type VmRecord } from './repositories.ts';
import type { Sealer } from './sealing.ts';

type TenantRow = {
  id: string;
  name: string;
  description: string;
  user_data: string;
  preferred_viis_address: string | null;
  type: TenantRecord['type'];
  status: TenantRecord['status'];
  lifecycle: TenantRecord['lifecycle'];
  task_id: string | null;
  vksc_id: number | null;
  vksc_admin_name: string | null;
  vksc_admin_password_sealed: string | null;
  ksc_account_id: number | null;
  ksc_folder_id: number | null;
  created: string;
  updated: string;
  vm_count?: number;
};
type VmRow = { id: string; tenant_id: string; bios_id: string; name: string; user_data: string; created: string; updated: string };

const PATCH_COLUMNS: Record<keyof TenantPatch, string> = {
  status: 'status',
  lifecycle: 'lifecycle',
  taskId: 'task_id',
  vKscId: 'vksc_id',
  kscAccountId: 'ksc_account_id',
  kscFolderId: 'ksc_folder_id',
  updated: 'updated',
};
const SORT_COLUMNS: Record<TenantSortField, string> = { name: 'name_key', type: 'type', status: 'status', created: 'created', updated: 'updated' };

const toVm = (r: VmRow): VmRecord => ({ id: r.id, tenantId: r.tenant_id, biosId: r.bios_id, name: r.name, userData: r.user_data, created: r.created, updated: r.updated });

const isUniqueError = (e: unknown, column: string): boolean => e instanceof Error && /UNIQUE constraint failed/.test(e.message) && e.message.includes(column);

export function sqliteTenants(db: DatabaseSync, sealer: Sealer): TenantsRepository {
  const toTenant = (r: TenantRow): TenantRecord => ({
    id: r.id,
    name: r.name,
    description: r.description,
    userData: r.user_data,
    preferredViisAddress: r.preferred_viis_address,
    type: r.type,
    status: r.status,
    lifecycle: r.lifecycle,
    taskId: r.task_id,
    vKscId: r.vksc_id,
    adminName: r.vksc_admin_name,
    adminPassword: r.vksc_admin_password_sealed === null ? null : sealer.open(r.vksc_admin_password_sealed),
    kscAccountId: r.ksc_account_id,
    kscFolderId: r.ksc_folder_id,
    created: r.created,
    updated: r.updated,
  });

  const insertTenant = db.prepare(
    `INSERT INTO tenants (id, name, name_key, description, user_data, preferred_viis_address, type, status, lifecycle, task_id,
       vksc_id, vksc_admin_name, vksc_admin_password_sealed, ksc_account_id, ksc_folder_id, created, updated)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const getOne = db.prepare('SELECT * FROM tenants WHERE id = ?');
  const byName = db.prepare('SELECT * FROM tenants WHERE name_key = ?');
  const byTask = db.prepare('SELECT * FROM tenants WHERE task_id = ?');
  const removeTenant = db.prepare('DELETE FROM tenants WHERE id = ?');
  const countComplete = db.prepare("SELECT count(*) AS n FROM tenants WHERE type = 'Complete' AND id <> ?");
  const insertVm = db.prepare('INSERT INTO tenant_vms (id, tenant_id, bios_id, name, user_data, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const vmsOf = db.prepare('SELECT * FROM tenant_vms WHERE tenant_id = ? ORDER BY created, id');
  const vmByBios = db.prepare('SELECT * FROM tenant_vms WHERE tenant_id = ? AND bios_id = ?');
  const vmById = db.prepare('SELECT * FROM tenant_vms WHERE tenant_id = ? AND id = ?');
  const removeVm = db.prepare('DELETE FROM tenant_vms WHERE id = ?');
  const directory = db.prepare("SELECT v.bios_id, v.tenant_id FROM tenant_vms v JOIN tenants t ON t.id = v.tenant_id WHERE t.lifecycle <> 'Creating'");
  const updates = new Map<string, ReturnType<DatabaseSync['prepare']>>();

  /** One transaction for several writes: node:sqlite is synchronous, so nothing interleaves inside it. */
  const inTransaction = <T>(work: () => T): T => {
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      db.exec('COMMIT');
      return result;
    } catch (e) {
      db.exec('ROLLBACK');
      throw e;
    }
  };

  return {
    async insert(t) {
      try {
        insertTenant.run(
          t.id,
          t.name,
          tenantNameKey(t.name),
          t.description,
          t.userData,
          t.preferredViisAddress,
          t.type,
          t.status,
          t.lifecycle,
          t.taskId,
          t.vKscId,
          t.adminName,
          t.adminPassword === null ? null : sealer.seal(t.adminPassword),
          t.kscAccountId,
          t.kscFolderId,
          t.created,
          t.updated,
        );
      } catch (e) {
        if (isUniqueError(e, 'tenants.name_key')) throw new UniqueViolation('tenant.name', t.name);
        throw e;
      }
    },
    async get(id) {
      const row = getOne.get(id) as TenantRow | undefined;
      return row && toTenant(row);
    },
    async findByName(name) {
      const row = byName.get(tenantNameKey(name)) as TenantRow | undefined;
      return row && toTenant(row);
    },
    async findByTask(taskId) {
      return (byTask.all(taskId) as TenantRow[]).map(toTenant);
    },
    async update(id, patch) {
      const keys = (Object.keys(patch) as (keyof TenantPatch)[]).filter((k) => patch[k] !== undefined).sort();
      if (keys.length === 0) return;
      const signature = keys.join(',');
      let stmt = updates.get(signature);
      if (!stmt) {
        stmt = db.prepare(`UPDATE tenants SET ${keys.map((k) => `${PATCH_COLUMNS[k]} = ?`).join(', ')} WHERE id = ?`);
        updates.set(signature, stmt);
      }
      stmt.run(...keys.map((k) => patch[k] as SQLInputValue), id);
    },
    async remove(id) {
      // The foreign key cascades to the tenant's VMs in the same statement.
      removeTenant.run(id);
    },
    async list(q) {
      const where: string[] = [`lifecycle IN (${q.lifecycles.map(() => '?').join(', ')})`];
      const args: SQLInputValue[] = [...q.lifecycles];
      if (q.nameContains) {
        where.push("instr(name_key, ?) > 0");
        args.push(tenantNameKey(q.nameContains));
      }
      if (q.status) {
        where.push('status = ?');
        args.push(q.status);
      }
      if (q.type) {
        where.push('type = ?');
        args.push(q.type);
      }
      const clause = `WHERE ${where.join(' AND ')}`;
      const total = (db.prepare(`SELECT count(*) AS n FROM tenants ${clause}`).get(...args) as { n: number }).n;
      const order = `${SORT_COLUMNS[q.sort]} ${q.descending ? 'DESC' : 'ASC'}, id`;
      const rows = db
        .prepare(
          `SELECT t.*, (SELECT count(*) FROM tenant_vms v WHERE v.tenant_id = t.id) AS vm_count FROM tenants t ${clause} ORDER BY ${order} LIMIT ? OFFSET ?`,
        )
        .all(...args, q.limit, q.offset) as TenantRow[];
      return { items: rows.map((r) => ({ ...toTenant(r), vmCount: r.vm_count ?? 0 })), total };
    },
    async countComplete(exceptId) {
      return (countComplete.get(exceptId) as { n: number }).n;
    },
    async insertVms(vms) {
      inTransaction(() => {
        for (const vm of vms) {
          try {
            insertVm.run(vm.id, vm.tenantId, vm.biosId, vm.name, vm.userData, vm.created, vm.updated);
          } catch (e) {
            if (isUniqueError(e, 'tenant_vms.bios_id')) throw new UniqueViolation('vm.biosId', vm.biosId);
            throw e;
          }
        }
      });
    },
    async listVms(tenantId) {
      return (vmsOf.all(tenantId) as VmRow[]).map(toVm);
    },
    async findVm(tenantId, key) {
      const row = (key.vmId !== undefined ? vmById.get(tenantId, key.vmId) : vmByBios.get(tenantId, key.biosId ?? '')) as VmRow | undefined;
      if (!row) return undefined;
      if (key.biosId !== undefined && row.bios_id !== key.biosId) return undefined;
      return toVm(row);
    },
    async removeVm(id) {
      removeVm.run(id);
    },
    async vmDirectory() {
      return (directory.all() as Array<{ bios_id: string; tenant_id: string }>).map((r) => ({ biosId: r.bios_id, tenantId: r.tenant_id }));
    },
  };
}
