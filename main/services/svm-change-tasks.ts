/**
 * RemoveSvm / ReconfigureSvm and their per-SVM children. Removal cannot be undone once the VM is
 * deleted, so only the stop before it is rolled back; reconfiguring puts the old vCPU/RAM back.
 */
import { SVM_CODES, SVM_TASK_TYPES, type ReconfigureRequest, type RemoveRequest } from '../contract/svm-deployment.ts';
import type { DeployedSvmRecord } from '../store/infrastructure-repositories.ts';
import { guarded, undeploy } from './svm-deploy-tasks.ts';
import { applyConfiguration, openKlconfig } from './svm-klconfig.ts';
import { boundedPool, withConnector, type SvmLifecycleDeps } from './svm-lifecycle-deps.ts';
import { preflightExisting } from './svm-preflight.ts';
import { TaskError, type StepContext, type TaskDefinition, type TaskStep } from './task-engine.ts';

async function svmOf(deps: SvmLifecycleDeps, id: string): Promise<DeployedSvmRecord> {
  const svm = await deps.store.deployedSvms.get(id);
  if (!svm) throw new TaskError(SVM_CODES.svmNotFound, `No SVM ${id} was deployed by this server.`);
  return svm;
}

const refOf = (svm: DeployedSvmRecord) => ({ id: svm.vmId, name: svm.name });

type RemoveOneParams = { svmId: string };
type RemoveOneMemo = { wasRunning?: boolean; name?: string };

export function removeSingleSvmTask(deps: SvmLifecycleDeps): TaskDefinition<RemoveOneParams> {
  const memoOf = (ctx: StepContext<RemoveOneParams>) => ctx.memo as RemoveOneMemo;
  return {
    type: SVM_TASK_TYPES.removeOne,
    resumable: () => false,
    steps: (p) => [
      {
        name: 'Stopping the SVM',
        async run(ctx) {
          const svm = await svmOf(deps, p.svmId);
          memoOf(ctx).name = svm.name;
          await guarded(`Stopping SVM "${svm.name}" failed`, () =>
            withConnector(deps, svm.infrastructureId, async (c) => {
              const state = await c.vmState(refOf(svm));
              memoOf(ctx).wasRunning = state === 'running';
              if (state !== 'absent' && state !== 'stopped') await c.stopVm(refOf(svm), { force: true, signal: ctx.signal });
            }),
          );
        },
        async undo(ctx) {
          const svm = await deps.store.deployedSvms.get(p.svmId);
          if (svm && memoOf(ctx).wasRunning) await withConnector(deps, svm.infrastructureId, (c) => c.startVm(refOf(svm)));
        },
      },
      {
        name: 'Deleting the VM and its disks',
        async run() {
          const svm = await svmOf(deps, p.svmId);
          await guarded(`Deleting SVM "${svm.name}" failed`, () => undeploy(deps, svm.infrastructureId, refOf(svm), svm.name));
        },
      },
      {
        name: 'Unregistering the SVM',
        async run(ctx) {
          await deps.store.deployedSvms.remove(p.svmId);
          ctx.setResult({ svmId: p.svmId, name: memoOf(ctx).name });
        },
      },
    ],
  };
}

type ReconfigureOneParams = Omit<ReconfigureRequest, 'svmIds' | 'parallelism'> & { svmId: string };
type ReconfigureOneMemo = { old?: { vcpus: number; memoryMiB: number }; restarted?: boolean };

export function reconfigureSingleSvmTask(deps: SvmLifecycleDeps): TaskDefinition<ReconfigureOneParams> {
  const memoOf = (ctx: StepContext<ReconfigureOneParams>) => ctx.memo as ReconfigureOneMemo;
  const resize = async (svm: DeployedSvmRecord, vcpus: number | undefined, memoryMiB: number | undefined, signal: AbortSignal) =>
    withConnector(deps, svm.infrastructureId, async (c) => {
      const { restartRequired } = await c.reconfigure(refOf(svm), { ...(vcpus !== undefined ? { vcpus } : {}), ...(memoryMiB !== undefined ? { memoryMiB } : {}) });
      // vCPU and RAM take effect at the next start: a running SVM is restarted now.
      if (restartRequired) {
        await c.stopVm(refOf(svm), { force: true, signal });
        await c.startVm(refOf(svm));
      }
      return restartRequired;
    });
  return {
    type: SVM_TASK_TYPES.reconfigureOne,
    resumable: () => false,
    steps: (p) => {
      const steps: TaskStep<ReconfigureOneParams>[] = [];
      if (p.vcpus !== undefined || p.memoryMiB !== undefined) {
        steps.push({
          name: 'Changing vCPU and RAM',
          async run(ctx) {
            const svm = await svmOf(deps, p.svmId);
            memoOf(ctx).old = { vcpus: svm.vcpus, memoryMiB: svm.memoryMiB };
            memoOf(ctx).restarted = await guarded(`Changing vCPU/RAM of SVM "${svm.name}" failed`, () => resize(svm, p.vcpus, p.memoryMiB, ctx.signal));
          },
          async undo(ctx) {
            const svm = await deps.store.deployedSvms.get(p.svmId);
            const old = memoOf(ctx).old;
            if (svm && old) await resize(svm, old.vcpus, old.memoryMiB, new AbortController().signal);
          },
        });
      }
      if (p.timezone || p.dns || p.ksc || p.passwords?.root || p.passwords?.config) {
        steps.push({
          name: 'Configuring the SVM',
          async run(ctx) {
            const svm = await svmOf(deps, p.svmId);
            await guarded(`Configuring SVM "${svm.name}" over klconfig failed`, async () => {
              const key = await deps.identity.get();
              const { client, session } = await openKlconfig({
                endpoint: { host: svm.address, port: svm.sshPort },
                hostKey: svm.sshHostKey,
                auths: [{ privateKey: key.privateKey }, { password: svm.secrets.configPassword }],
                signal: ctx.signal,
              });
              try {
                await applyConfiguration(
                  client,
                  {
                    ...(p.timezone ? { timezone: p.timezone } : {}),
                    ...(p.dns ? { dns: p.dns } : {}),
                    ...(p.ksc ? { ksc: p.ksc } : {}),
                    ...(p.passwords?.root ? { rootPassword: p.passwords.root } : {}),
                    ...(p.passwords?.config ? { configPassword: p.passwords.config } : {}),
                  },
                  ctx.signal,
                );
              } finally {
                session.dispose();
              }
            });
          },
        });
      }
      steps.push({
        name: 'Updating the registry',
        async run(ctx) {
          const svm = await svmOf(deps, p.svmId);
          await deps.store.deployedSvms.update(p.svmId, {
            ...(p.vcpus !== undefined ? { vcpus: p.vcpus } : {}),
            ...(p.memoryMiB !== undefined ? { memoryMiB: p.memoryMiB } : {}),
            ...(p.passwords?.root || p.passwords?.config
              ? { secrets: { rootPassword: p.passwords.root ?? svm.secrets.rootPassword, configPassword: p.passwords.config ?? svm.secrets.configPassword } }
              : {}),
            updated: deps.now().toISOString(),
          });
          ctx.setResult({ svmId: p.svmId, name: svm.name, restarted: memoOf(ctx).restarted ?? false });
        },
      });
      return steps;
    },
  };
}

/** A parent that checks, then runs one child per SVM with bounded parallelism. */
function parentTask<P extends { svmIds: string[]; parallelism?: number }>(
  deps: SvmLifecycleDeps,
  type: string,
  childType: string,
  verb: string,
  childParams: (p: P, svmId: string) => unknown,
  passwords?: (p: P) => { root?: string; config?: string } | undefined,
): TaskDefinition<P> {
  return {
    type,
    resumable: () => false,
    steps: (p) => [
      {
        name: 'Pre-flight',
        async run() {
          const r = await preflightExisting(deps, p.svmIds, passwords?.(p));
          const failed = r.checks.filter((c) => c.result === 'failed');
          if (failed.length) throw new TaskError(SVM_CODES.preflightFailed, `Pre-flight found ${failed.length} problem(s): ${failed.map((c) => c.message).join(' ')}`);
        },
      },
      {
        name: `${verb} the SVMs`,
        async run(ctx) {
          const results: unknown[] = [];
          let finished = 0;
          const errors = await boundedPool(p.svmIds, p.parallelism ?? 3, ctx.signal, async (svmId) => {
            results.push(await ctx.runChild(childType, childParams(p, svmId)));
            ctx.progress((100 * ++finished) / p.svmIds.length);
          });
          if (ctx.signal.aborted) throw ctx.signal.reason;
          if (errors.length) {
            const first = errors[0] as Error;
            throw new TaskError(first instanceof TaskError ? first.code : 'TASK_FAILED', `${errors.length} of ${p.svmIds.length} SVMs failed (${finished} done); the first: ${first.message}`);
          }
          ctx.setResult({ svms: results });
        },
      },
    ],
  };
}

export const removeSvmTask = (deps: SvmLifecycleDeps) =>
  parentTask<RemoveRequest>(deps, SVM_TASK_TYPES.remove, SVM_TASK_TYPES.removeOne, 'Removing', (_p, svmId) => ({ svmId }));

export const reconfigureSvmTask = (deps: SvmLifecycleDeps) =>
  parentTask<ReconfigureRequest>(
    deps,
    SVM_TASK_TYPES.reconfigure,
    SVM_TASK_TYPES.reconfigureOne,
    'Reconfiguring',
    ({ svmIds: _ids, parallelism: _n, ...rest }, svmId) => ({ ...rest, svmId }),
    (p) => p.passwords,
  );
