-- Tenants of the vendor multitenancy API (rest-api.md §2.1). A tenant row exists from the first
-- step of its CreateTenant task; `lifecycle` keeps it invisible until the task has built it
-- completely, so a rollback never takes back something a client has already seen.
CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  -- Names are unique without regard to case, as KSC folder names are.
  name_key TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  user_data TEXT NOT NULL DEFAULT '',
  preferred_viis_address TEXT,
  type TEXT NOT NULL CHECK (type IN ('Complete', 'Simple')),
  status TEXT NOT NULL CHECK (status IN ('Active', 'Inactive')),
  lifecycle TEXT NOT NULL CHECK (lifecycle IN ('Creating', 'Ready', 'Deleting')),
  -- The task creating or deleting the tenant: crash recovery finds its rows by it.
  task_id TEXT,
  vksc_id INTEGER,
  vksc_admin_name TEXT,
  -- The tenant administrator's password, sealed (AES-256-GCM); never returned by any API.
  vksc_admin_password_sealed TEXT,
  ksc_account_id INTEGER,
  ksc_folder_id INTEGER,
  created TEXT NOT NULL,
  updated TEXT NOT NULL
) STRICT;
CREATE INDEX tenants_by_task ON tenants(task_id);

-- VMs registered to tenants by BIOS UUID, unique across the whole server (rest-api.md §3.7).
CREATE TABLE tenant_vms (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  bios_id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL DEFAULT '',
  user_data TEXT NOT NULL DEFAULT '',
  created TEXT NOT NULL,
  updated TEXT NOT NULL
) STRICT;
CREATE INDEX tenant_vms_by_tenant ON tenant_vms(tenant_id);

-- Who changed what, when and from where, through either API or the CLI. Never a secret.
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  account TEXT NOT NULL,
  address TEXT NOT NULL,
  channel TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  task_id TEXT,
  details_json TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX audit_log_by_at ON audit_log(at);
