/** What the SVM lifecycle's tasks, pre-flight and wizard share. */
import type { HypervisorConnector } from '../connectors/hypervisor.ts';
import type { InfrastructureRecord, InfrastructureStore } from '../store/infrastructure-repositories.ts';
import type { InfrastructureService } from './infrastructure-service.ts';
import type { Logger } from './logger.ts';
import type { SvmAddressSource } from './svm-address.ts';
import type { SvmImages } from './svm-images.ts';
import type { SvmSshIdentity } from './svm-ssh-identity.ts';

export type SvmLifecycleDeps = {
  store: InfrastructureStore;
  infrastructures: InfrastructureService;
  images: SvmImages;
  identity: SvmSshIdentity;
  addressSource(): SvmAddressSource;
  now: () => Date;
  log: Logger;
  /** How long a started SVM may take to show an address; default 5 min. */
  addressTimeoutMs: number;
  addressPollMs: number;
  /** Results of a parent's completed child tasks: what a rollback after a crash must undo (the parent's memo may predate them). */
  childResults(parentId: string, type: string): Promise<unknown[]>;
};

/** Opens the infrastructure's connector for one piece of work and always closes it. */
export async function withConnector<T>(deps: SvmLifecycleDeps, infrastructureId: string, work: (c: HypervisorConnector, r: InfrastructureRecord) => Promise<T>): Promise<T> {
  const { connector, record } = await deps.infrastructures.open(infrastructureId);
  try {
    return await work(connector, record);
  } finally {
    await connector.close().catch(() => undefined);
  }
}

/** Runs `work` for each item, at most `size` at once; stops starting new ones after a failure or cancel. */
export async function boundedPool<T>(items: readonly T[], size: number, signal: AbortSignal, work: (item: T, index: number) => Promise<void>): Promise<unknown[]> {
  const errors: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length && errors.length === 0 && !signal.aborted) {
      const i = next++;
      try {
        await work(items[i]!, i);
      } catch (e) {
        errors.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(size, items.length)) }, worker));
  return errors;
}
