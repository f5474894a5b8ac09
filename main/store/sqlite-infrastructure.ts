/**
 * SQLite behind the SVM lifecycle's repositories: infrastructure connections (credential sealed),
 * SVM images, deployed SVMs (passwords sealed).
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Platform } from '../contract/platforms.ts';
import {
  DuplicateNameError,
  type DeployedSvmRecord,
  type InfrastructureRecord,
  type InfrastructureStore,
  type StoredCredential,
  type SvmImageRecord,
} from './infrastructure-repositories.ts';
import type { Sealer } from './sealing.ts';

const isUnique = (e: unknown) => /UNIQUE constraint failed/i.test((e as Error)?.message ?? '');

type InfraRow = {
  id: string; name: string; platform: string; address: string; port: number; account: string;
  credential_kind: string; credential_sealed: string; fingerprint: string; options_json: string; created: string; updated: string;
};
type ImageRow = { id: string; name: string; format: string; file: string; bytes: number; sha256: string; version: string | null; version_source: string; initial_password_sealed: string | null; imported: string };
type SvmRow = {
  id: string; name: string; infrastructure_id: string; vm_id: string; bios_uuid: string | null; host_id: string | null; address: string; ssh_port: number;
  ssh_host_key: string; vcpus: number; memory_mib: number; image_version: string | null; secrets_sealed: string; task_id: string; created: string; updated: string;
};

const credentialKind = (c: StoredCredential) => ('password' in c ? 'password' : 'privateKey' in c ? 'privateKey' : 'apiToken');

export function sqliteInfrastructure(db: DatabaseSync, sealer: Sealer): InfrastructureStore {
  const infra = (r: InfraRow): InfrastructureRecord => ({
    id: r.id,
    name: r.name,
    platform: r.platform as Platform,
    address: r.address,
    port: r.port,
    account: r.account,
    credential: JSON.parse(sealer.open(r.credential_sealed)) as StoredCredential,
    fingerprint: r.fingerprint,
    options: JSON.parse(r.options_json) as InfrastructureRecord['options'],
    created: r.created,
    updated: r.updated,
  });
  const image = (r: ImageRow): SvmImageRecord => ({
    id: r.id,
    name: r.name,
    format: r.format as 'qcow2',
    file: r.file,
    bytes: r.bytes,
    sha256: r.sha256,
    version: r.version,
    versionSource: r.version_source as SvmImageRecord['versionSource'],
    initialConfigPassword: r.initial_password_sealed === null ? null : sealer.open(r.initial_password_sealed),
    imported: r.imported,
  });
  const svm = (r: SvmRow): DeployedSvmRecord => ({
    id: r.id,
    name: r.name,
    infrastructureId: r.infrastructure_id,
    vmId: r.vm_id,
    biosUuid: r.bios_uuid,
    hostId: r.host_id,
    address: r.address,
    sshPort: r.ssh_port,
    sshHostKey: r.ssh_host_key,
    vcpus: r.vcpus,
    memoryMiB: r.memory_mib,
    imageVersion: r.image_version,
    secrets: JSON.parse(sealer.open(r.secrets_sealed)) as DeployedSvmRecord['secrets'],
    taskId: r.task_id,
    created: r.created,
    updated: r.updated,
  });

  const q = {
    infraInsert: db.prepare('INSERT INTO infrastructures (id, name, platform, address, port, account, credential_kind, credential_sealed, fingerprint, options_json, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)'),
    infraGet: db.prepare('SELECT * FROM infrastructures WHERE id = ?'),
    infraList: db.prepare('SELECT * FROM infrastructures ORDER BY name'),
    infraFingerprint: db.prepare('UPDATE infrastructures SET fingerprint = ?, updated = ? WHERE id = ?'),
    infraRemove: db.prepare('DELETE FROM infrastructures WHERE id = ?'),
    imageInsert: db.prepare('INSERT INTO svm_images (id, name, format, file, bytes, sha256, version, version_source, initial_password_sealed, imported) VALUES (?,?,?,?,?,?,?,?,?,?)'),
    imageGet: db.prepare('SELECT * FROM svm_images WHERE id = ?'),
    imageBySha: db.prepare('SELECT * FROM svm_images WHERE sha256 = ?'),
    imageList: db.prepare('SELECT * FROM svm_images ORDER BY imported'),
    imageRemove: db.prepare('DELETE FROM svm_images WHERE id = ?'),
    svmInsert: db.prepare('INSERT INTO deployed_svms (id, name, infrastructure_id, vm_id, bios_uuid, host_id, address, ssh_port, ssh_host_key, vcpus, memory_mib, image_version, secrets_sealed, task_id, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)'),
    svmGet: db.prepare('SELECT * FROM deployed_svms WHERE id = ?'),
    svmList: db.prepare('SELECT * FROM deployed_svms ORDER BY name'),
    svmListByInfra: db.prepare('SELECT * FROM deployed_svms WHERE infrastructure_id = ? ORDER BY name'),
    svmUpdate: db.prepare('UPDATE deployed_svms SET vcpus = coalesce(?, vcpus), memory_mib = coalesce(?, memory_mib), secrets_sealed = coalesce(?, secrets_sealed), updated = coalesce(?, updated) WHERE id = ?'),
    svmRemove: db.prepare('DELETE FROM deployed_svms WHERE id = ?'),
  };

  return {
    infrastructures: {
      async insert(r) {
        try {
          q.infraInsert.run(r.id, r.name, r.platform, r.address, r.port, r.account, credentialKind(r.credential), sealer.seal(JSON.stringify(r.credential)), r.fingerprint, JSON.stringify(r.options), r.created, r.updated);
        } catch (e) {
          if (isUnique(e)) throw new DuplicateNameError('infrastructure.name', r.name);
          throw e;
        }
      },
      async get(id) {
        const row = q.infraGet.get(id) as InfraRow | undefined;
        return row && infra(row);
      },
      async list() {
        return (q.infraList.all() as InfraRow[]).map(infra);
      },
      async updateFingerprint(id, fingerprint, updated) {
        q.infraFingerprint.run(fingerprint, updated, id);
      },
      async remove(id) {
        q.infraRemove.run(id);
      },
    },
    svmImages: {
      async insert(r) {
        q.imageInsert.run(r.id, r.name, r.format, r.file, r.bytes, r.sha256, r.version, r.versionSource, r.initialConfigPassword === null ? null : sealer.seal(r.initialConfigPassword), r.imported);
      },
      async get(id) {
        const row = q.imageGet.get(id) as ImageRow | undefined;
        return row && image(row);
      },
      async findBySha256(sha) {
        const row = q.imageBySha.get(sha) as ImageRow | undefined;
        return row && image(row);
      },
      async list() {
        return (q.imageList.all() as ImageRow[]).map(image);
      },
      async remove(id) {
        q.imageRemove.run(id);
      },
    },
    deployedSvms: {
      async insert(r) {
        try {
          q.svmInsert.run(r.id, r.name, r.infrastructureId, r.vmId, r.biosUuid, r.hostId, r.address, r.sshPort, r.sshHostKey, r.vcpus, r.memoryMiB, r.imageVersion, sealer.seal(JSON.stringify(r.secrets)), r.taskId, r.created, r.updated);
        } catch (e) {
          if (isUnique(e)) throw new DuplicateNameError('svm.name', r.name);
          throw e;
        }
      },
      async get(id) {
        const row = q.svmGet.get(id) as SvmRow | undefined;
        return row && svm(row);
      },
      async list(filter = {}) {
        const rows = (filter.infrastructureId ? q.svmListByInfra.all(filter.infrastructureId) : q.svmList.all()) as SvmRow[];
        return rows.map(svm);
      },
      async update(id, p) {
        q.svmUpdate.run(p.vcpus ?? null, p.memoryMiB ?? null, p.secrets ? sealer.seal(JSON.stringify(p.secrets)) : null, p.updated ?? null, id);
      },
      async remove(id) {
        q.svmRemove.run(id);
      },
    },
  };
}
