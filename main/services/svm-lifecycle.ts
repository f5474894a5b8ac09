/**
 * The SVM lifecycle as one service (issue 8): infrastructure connections, SVM images, the wizard's
 * pre-flight and its tasks. The composition root builds it once; the address source is the
 * hypervisor's unless a lab (tests, `lightkeeper lab`) sets its own.
 */
import { join } from 'node:path';
import { INFRA_CODES } from '../contract/infrastructure.ts';
import { SVM_TASK_TYPES, type DeployedSvm, type DeployRequest, type ReconfigureRequest, type RemoveRequest } from '../contract/svm-deployment.ts';
import type { Task } from '../contract/tasks.ts';
import type { DeployedSvmRecord, InfrastructureStore } from '../store/infrastructure-repositories.ts';
import type { Sealer } from '../store/sealing.ts';
import type { SettingsRepository } from '../store/repositories.ts';
import { createInfrastructureService } from './infrastructure-service.ts';
import { LifecycleError } from './lifecycle-error.ts';
import type { Logger } from './logger.ts';
import { hypervisorAddressSource, type SvmAddressSource } from './svm-address.ts';
import { reconfigureSingleSvmTask, reconfigureSvmTask, removeSingleSvmTask, removeSvmTask } from './svm-change-tasks.ts';
import { deploySingleSvmTask, deploySvmTask } from './svm-deploy-tasks.ts';
import { createSvmImages } from './svm-images.ts';
import type { SvmLifecycleDeps } from './svm-lifecycle-deps.ts';
import { preflightDeploy, preflightExisting } from './svm-preflight.ts';
import { createSvmSshIdentity } from './svm-ssh-identity.ts';
import type { TaskEngine } from './task-engine.ts';
import type { EventBus } from './event-bus.ts';

export type SvmLifecycleOptions = {
  store: InfrastructureStore;
  settings: SettingsRepository;
  sealer: Sealer;
  dataDir: string;
  tasks: TaskEngine;
  log: Logger;
  now: () => Date;
  /** The live channel: image imports report their progress on it. */
  events?: EventBus;
};

const toContractSvm = (r: DeployedSvmRecord): DeployedSvm => ({
  id: r.id,
  name: r.name,
  infrastructureId: r.infrastructureId,
  vmId: r.vmId,
  biosUuid: r.biosUuid,
  hostId: r.hostId,
  address: r.address,
  vcpus: r.vcpus,
  memoryMiB: r.memoryMiB,
  imageVersion: r.imageVersion,
  deployedBy: r.taskId,
  created: r.created,
  updated: r.updated,
});

export function createSvmLifecycle(options: SvmLifecycleOptions) {
  const { store, tasks, now } = options;
  const infrastructures = createInfrastructureService({ store, now });
  const images = createSvmImages({ store, imagesDir: join(options.dataDir, 'images'), now, ...(options.events ? { onProgress: (p) => options.events!.publish('svm-image.import', p) } : {}) });
  let addressSource: SvmAddressSource = hypervisorAddressSource;
  const deps: SvmLifecycleDeps = {
    store,
    infrastructures,
    images,
    identity: createSvmSshIdentity(options.settings, options.sealer),
    addressSource: () => addressSource,
    now,
    log: options.log,
    addressTimeoutMs: 300_000,
    addressPollMs: 2000,
    async childResults(parentId, type) {
      const { items } = await tasks.list({ type, states: ['Completed'], limit: 1000 });
      return items.filter((t) => t.parentId === parentId).map((t) => t.result);
    },
  };
  tasks.register(deploySvmTask(deps));
  tasks.register(deploySingleSvmTask(deps));
  tasks.register(removeSvmTask(deps));
  tasks.register(removeSingleSvmTask(deps));
  tasks.register(reconfigureSvmTask(deps));
  tasks.register(reconfigureSingleSvmTask(deps));

  async function requireInfrastructure(id: string) {
    if (!(await store.infrastructures.get(id))) throw new LifecycleError(INFRA_CODES.notFound, 404, `No infrastructure connection ${id}.`);
  }

  return {
    infrastructures,
    images,
    /** Lab wiring: where started SVMs are found (tests and `lightkeeper lab` point it at the lab SVMs). */
    setAddressSource(source: SvmAddressSource, timing: { timeoutMs?: number; pollMs?: number } = {}) {
      addressSource = source;
      if (timing.timeoutMs !== undefined) deps.addressTimeoutMs = timing.timeoutMs;
      if (timing.pollMs !== undefined) deps.addressPollMs = timing.pollMs;
    },
    preflightDeploy: (req: DeployRequest) => preflightDeploy(deps, req),
    preflightRemove: (req: RemoveRequest) => preflightExisting(deps, req.svmIds),
    preflightReconfigure: (req: ReconfigureRequest) => preflightExisting(deps, req.svmIds, req.passwords),
    async deploy(req: DeployRequest, by: string): Promise<Task> {
      await requireInfrastructure(req.infrastructureId);
      await images.record(req.imageId);
      return tasks.submit(SVM_TASK_TYPES.deploy, req, by);
    },
    remove: (req: RemoveRequest, by: string): Promise<Task> => tasks.submit(SVM_TASK_TYPES.remove, req, by),
    reconfigure(req: ReconfigureRequest, by: string): Promise<Task> {
      if (req.vcpus === undefined && req.memoryMiB === undefined && !req.timezone && !req.dns && !req.ksc && !req.passwords?.root && !req.passwords?.config) {
        throw new LifecycleError('LK_NothingToChange', 400, 'The request changes nothing: give vCPU, RAM, time zone, DNS, KSC connection or passwords.');
      }
      return tasks.submit(SVM_TASK_TYPES.reconfigure, req, by);
    },
    async listSvms(filter: { infrastructureId?: string } = {}): Promise<DeployedSvm[]> {
      return (await store.deployedSvms.list(filter)).map(toContractSvm);
    },
  };
}
export type SvmLifecycle = ReturnType<typeof createSvmLifecycle>;
