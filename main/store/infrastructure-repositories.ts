/**
 * The store's interfaces for the SVM lifecycle (issue 8): infrastructure connections, SVM images
 * and deployed SVMs. Asynchronous and engine-free, like every repository (design §4).
 */
import type { Platform } from '../contract/platforms.ts';

export type StoredCredential = { password: string } | { privateKey: string; passphrase?: string } | { apiToken: string };

export type InfrastructureRecord = {
  id: string;
  name: string;
  platform: Platform;
  address: string;
  port: number;
  account: string;
  /** Opened only here; sealed in the database. */
  credential: StoredCredential;
  fingerprint: string;
  options: Record<string, string | number | boolean>;
  created: string;
  updated: string;
};

export interface InfrastructuresRepository {
  /** Throws DuplicateNameError('infrastructure.name') when the name (any case) is taken. */
  insert(record: InfrastructureRecord): Promise<void>;
  get(id: string): Promise<InfrastructureRecord | undefined>;
  list(): Promise<InfrastructureRecord[]>;
  updateFingerprint(id: string, fingerprint: string, updated: string): Promise<void>;
  remove(id: string): Promise<void>;
}

export type SvmImageRecord = {
  id: string;
  name: string;
  format: 'qcow2';
  /** Absolute path of the kept copy in the data folder. */
  file: string;
  bytes: number;
  sha256: string;
  version: string | null;
  versionSource: 'metadata' | 'request' | 'none';
  initialConfigPassword: string | null;
  imported: string;
};

export interface SvmImagesRepository {
  insert(record: SvmImageRecord): Promise<void>;
  get(id: string): Promise<SvmImageRecord | undefined>;
  findBySha256(sha256: string): Promise<SvmImageRecord | undefined>;
  list(): Promise<SvmImageRecord[]>;
  remove(id: string): Promise<void>;
}

export type DeployedSvmRecord = {
  id: string;
  name: string;
  infrastructureId: string;
  vmId: string;
  biosUuid: string | null;
  hostId: string | null;
  address: string;
  sshPort: number;
  /** The SVM's SSH host key fingerprint, pinned at first contact during deployment. */
  sshHostKey: string;
  vcpus: number;
  memoryMiB: number;
  imageVersion: string | null;
  /** The configuration and root passwords set on the SVM; sealed. */
  secrets: { configPassword: string; rootPassword: string };
  taskId: string;
  created: string;
  updated: string;
};

export type DeployedSvmPatch = Partial<Pick<DeployedSvmRecord, 'vcpus' | 'memoryMiB' | 'secrets' | 'updated'>>;

export interface DeployedSvmsRepository {
  /** Throws DuplicateNameError('svm.name') when the infrastructure already has an SVM of that name. */
  insert(record: DeployedSvmRecord): Promise<void>;
  get(id: string): Promise<DeployedSvmRecord | undefined>;
  list(filter?: { infrastructureId?: string }): Promise<DeployedSvmRecord[]>;
  update(id: string, patch: DeployedSvmPatch): Promise<void>;
  remove(id: string): Promise<void>;
}

export type InfrastructureStore = {
  infrastructures: InfrastructuresRepository;
  svmImages: SvmImagesRepository;
  deployedSvms: DeployedSvmsRepository;
};

/** A name already used where names must be unique (`infrastructure.name`, `svm.name`). */
export class DuplicateNameError extends Error {
  readonly field: string;
  readonly value: string;
  constructor(field: string, value: string) {
    super(`${field} '${value}' is already taken.`);
    this.name = 'DuplicateNameError';
    this.field = field;
    this.value = value;
  }
}
