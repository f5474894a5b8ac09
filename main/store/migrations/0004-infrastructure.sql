-- Hypervisor connections (issue 8). The credential is sealed; the fingerprint is the peer identity
-- the admin confirmed (SSH host key or TLS certificate), never stored unconfirmed.
CREATE TABLE infrastructures (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL COLLATE NOCASE UNIQUE,
  platform TEXT NOT NULL,
  address TEXT NOT NULL,
  port INTEGER NOT NULL,
  account TEXT NOT NULL,
  credential_kind TEXT NOT NULL,
  credential_sealed TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  options_json TEXT NOT NULL DEFAULT '{}',
  created TEXT NOT NULL,
  updated TEXT NOT NULL
) STRICT;

-- SVM images kept in the data folder; the factory klconfig password (if any) is sealed.
CREATE TABLE svm_images (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  format TEXT NOT NULL,
  file TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  version TEXT,
  version_source TEXT NOT NULL,
  initial_password_sealed TEXT,
  imported TEXT NOT NULL
) STRICT;

-- SVMs this server deployed: what the hypervisor holds for each, and how to reach its klconfig.
CREATE TABLE deployed_svms (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  infrastructure_id TEXT NOT NULL REFERENCES infrastructures(id),
  vm_id TEXT NOT NULL,
  bios_uuid TEXT,
  host_id TEXT,
  address TEXT NOT NULL,
  ssh_port INTEGER NOT NULL,
  ssh_host_key TEXT NOT NULL,
  vcpus INTEGER NOT NULL,
  memory_mib INTEGER NOT NULL,
  image_version TEXT,
  secrets_sealed TEXT NOT NULL,
  task_id TEXT NOT NULL,
  created TEXT NOT NULL,
  updated TEXT NOT NULL,
  UNIQUE (infrastructure_id, name)
) STRICT;
CREATE INDEX deployed_svms_by_infrastructure ON deployed_svms(infrastructure_id);
