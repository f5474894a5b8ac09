/**
 * DeploySvm (the wizard's run: pre-flight, one upload, one child task per SVM with bounded
 * parallelism, clean-up) and DeploySingleSvm (create, start, wait for the address, configure,
 * register). Every step that leaves something on the host has an undo, so a failure or a cancel at
 * any point leaves the host as it was: no VM, no disk, no uploaded image.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CreatedVm, UploadedImage } from '../connectors/hypervisor.ts';
import { SVM_CODES, SVM_TASK_TYPES, type DeployRequest, type SvmSettings } from '../contract/svm-deployment.ts';
import { DuplicateNameError, type DeployedSvmRecord } from '../store/infrastructure-repositories.ts';
import { describeFault, faultCode } from './lifecycle-faults.ts';
import type { SvmEndpoint } from './svm-address.ts';
import { applyConfiguration, openKlconfig } from './svm-klconfig.ts';
import { boundedPool, withConnector, type SvmLifecycleDeps } from './svm-lifecycle-deps.ts';
import { preflightDeploy } from './svm-preflight.ts';
import { TaskError, type StepContext, type TaskDefinition } from './task-engine.ts';

/** Connector and SSH failures become task errors worded for the admin, coded by the side that failed. */
export async function guarded<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof TaskError) throw e;
    throw new TaskError(faultCode(e), `${what}: ${describeFault(e)}`, { cause: e });
  }
}

export type SingleDeployParams = {
  infrastructureId: string;
  imageId: string;
  uploadedImageId: string;
  svm: SvmSettings;
  timezone?: string;
  dns?: DeployRequest['dns'];
  ksc: DeployRequest['ksc'];
  passwords: DeployRequest['passwords'];
  parentTaskId: string;
};

type SingleMemo = { vm?: CreatedVm; endpoint?: SvmEndpoint; hostKey?: string; svmId?: string };

/** Removes what a deployment made: the VM with its disks, the registry row, the lab address. */
export async function undeploy(deps: SvmLifecycleDeps, infrastructureId: string, vm: CreatedVm['ref'], svmName: string): Promise<void> {
  await withConnector(deps, infrastructureId, async (c) => {
    await c.destroyVm(vm);
    const left = await c.vmState(vm);
    if (left !== 'absent') throw new TaskError(SVM_CODES.hypervisor, `VM "${vm.name}" is still on the host (${left}) after it was deleted.`);
  });
  await deps.addressSource().release?.(svmName);
}

export function deploySingleSvmTask(deps: SvmLifecycleDeps): TaskDefinition<SingleDeployParams> {
  const memoOf = (ctx: StepContext<SingleDeployParams>) => ctx.memo as SingleMemo;
  return {
    type: SVM_TASK_TYPES.deployOne,
    resumable: () => false,
    steps: (p) => [
      {
        name: 'Creating the VM',
        run: (ctx) =>
          guarded(`Creating VM "${p.svm.name}" failed`, () =>
            withConnector(deps, p.infrastructureId, async (c) => {
              memoOf(ctx).vm = await c.createVm({
                name: p.svm.name,
                vcpus: p.svm.vcpus,
                memoryMiB: p.svm.memoryMiB,
                disk: { imageId: p.uploadedImageId },
                ...(p.svm.hostId ? { hostId: p.svm.hostId } : {}),
                ...(p.svm.storageId ? { storageId: p.svm.storageId } : {}),
                ...(p.svm.networkId ? { networkId: p.svm.networkId } : {}),
              });
            }),
          ),
        async undo(ctx) {
          const vm = memoOf(ctx).vm;
          if (vm) await undeploy(deps, p.infrastructureId, vm.ref, p.svm.name);
        },
      },
      {
        name: 'Starting the VM',
        run: (ctx) => guarded(`Starting VM "${p.svm.name}" failed`, () => withConnector(deps, p.infrastructureId, (c) => c.startVm(memoOf(ctx).vm!.ref))),
      },
      {
        name: 'Waiting for the address',
        run: (ctx) =>
          guarded(`SVM "${p.svm.name}" did not get an address`, () =>
            withConnector(deps, p.infrastructureId, async (c) => {
              const deadline = Date.now() + deps.addressTimeoutMs;
              for (;;) {
                if (ctx.signal.aborted) throw ctx.signal.reason;
                const endpoint = await deps.addressSource().resolve({ connector: c, vm: memoOf(ctx).vm!.ref, svmName: p.svm.name });
                if (endpoint) {
                  memoOf(ctx).endpoint = endpoint;
                  return;
                }
                if (Date.now() > deadline) {
                  throw new TaskError(SVM_CODES.noAddress, `SVM "${p.svm.name}" started but reported no IP address within ${Math.round(deps.addressTimeoutMs / 1000)} s: check that its network "${p.svm.networkId ?? 'default'}" has DHCP and that the guest agent runs.`);
                }
                await sleep(deps.addressPollMs, undefined, { signal: ctx.signal }).catch(() => undefined);
              }
            }),
          ),
      },
      {
        name: 'Configuring the SVM',
        run: (ctx) =>
          guarded(`Configuring SVM "${p.svm.name}" over klconfig failed`, async () => {
            const memo = memoOf(ctx);
            const image = await deps.images.record(p.imageId);
            const key = await deps.identity.get();
            const { client, session, hostKey } = await openKlconfig({
              endpoint: memo.endpoint!,
              hostKey: memo.hostKey ?? null,
              // The factory password first (a fresh SVM); the server's key and the new password when a retry finds it already set.
              auths: [...(image.initialConfigPassword !== null ? [{ password: image.initialConfigPassword }] : []), { privateKey: key.privateKey }, { password: p.passwords.config }],
              signal: ctx.signal,
            });
            memo.hostKey = hostKey;
            try {
              await applyConfiguration(
                client,
                {
                  publicKey: key.publicKey,
                  ip: p.svm.ip,
                  ksc: p.ksc,
                  rootPassword: p.passwords.root,
                  configPassword: p.passwords.config,
                  ...(p.timezone ? { timezone: p.timezone } : {}),
                  ...(p.dns ? { dns: p.dns } : {}),
                },
                ctx.signal,
              );
            } finally {
              session.dispose();
            }
          }),
      },
      {
        name: 'Registering the SVM',
        async run(ctx) {
          const memo = memoOf(ctx);
          const image = await deps.images.record(p.imageId);
          const t = deps.now().toISOString();
          const record: DeployedSvmRecord = {
            id: randomUUID(),
            name: p.svm.name,
            infrastructureId: p.infrastructureId,
            vmId: memo.vm!.ref.id,
            biosUuid: memo.vm!.biosUuid,
            hostId: p.svm.hostId ?? null,
            address: memo.endpoint!.host,
            sshPort: memo.endpoint!.port,
            sshHostKey: memo.hostKey!,
            vcpus: p.svm.vcpus,
            memoryMiB: p.svm.memoryMiB,
            imageVersion: image.version,
            secrets: { configPassword: p.passwords.config, rootPassword: p.passwords.root },
            taskId: ctx.taskId,
            created: t,
            updated: t,
          };
          try {
            await deps.store.deployedSvms.insert(record);
          } catch (e) {
            if (e instanceof DuplicateNameError) throw new TaskError(SVM_CODES.invalid, `Another SVM named "${p.svm.name}" was registered on this infrastructure while this one was being deployed; this one was removed again.`);
            throw e;
          }
          memo.svmId = record.id;
          ctx.setResult({ svmId: record.id, name: record.name, vmId: record.vmId, address: record.address });
        },
        async undo(ctx) {
          const id = memoOf(ctx).svmId;
          if (id) await deps.store.deployedSvms.remove(id);
        },
      },
    ],
  };
}

type ParentParams = DeployRequest;
type ParentMemo = { uploadName?: string; upload?: UploadedImage; deployed?: Array<{ svmId: string; name: string; vmId: string }>; cleaned?: boolean };

export function deploySvmTask(deps: SvmLifecycleDeps): TaskDefinition<ParentParams> {
  const memoOf = (ctx: StepContext<ParentParams>) => ctx.memo as ParentMemo;
  return {
    type: SVM_TASK_TYPES.deploy,
    resumable: () => false,
    steps: (p) => [
      {
        name: 'Pre-flight',
        async run() {
          const r = await preflightDeploy(deps, p);
          const failed = r.checks.filter((c) => c.result === 'failed');
          if (failed.length) throw new TaskError(SVM_CODES.preflightFailed, `Pre-flight found ${failed.length} problem(s): ${failed.map((c) => (c.svm ? `${c.svm}: ${c.message}` : c.message)).join(' ')}`);
        },
      },
      {
        name: 'Uploading the image',
        run: (ctx) =>
          guarded('Uploading the SVM image failed', async () => {
            const image = await deps.images.record(p.imageId);
            const name = `lightkeeper-svm-${image.sha256.slice(0, 12)}.qcow2`;
            memoOf(ctx).uploadName = name;
            await withConnector(deps, p.infrastructureId, async (c) => {
              memoOf(ctx).upload = await c.uploadImage({
                localPath: image.file,
                sha256: image.sha256,
                name,
                onProgress: ({ transferredBytes, totalBytes }) => ctx.progress(totalBytes ? (100 * transferredBytes) / totalBytes : 100),
                signal: ctx.signal,
              });
            });
          }),
        async undo(ctx) {
          const { upload, uploadName, cleaned } = memoOf(ctx);
          // Only what this task sent is deleted; an identical image that was already there stays.
          if (upload?.transferred && !cleaned) await withConnector(deps, p.infrastructureId, (c) => c.deleteImage(upload.id));
          // An upload cut off half-way (a dropped connection cannot clean up after itself) leaves a partial file.
          else if (!upload && uploadName) await withConnector(deps, p.infrastructureId, (c) => c.discardPartialUpload(uploadName));
        },
      },
      {
        name: 'Deploying the SVMs',
        async run(ctx) {
          const memo = memoOf(ctx);
          memo.deployed = [];
          let finished = 0;
          const errors = await boundedPool(p.svms, p.parallelism ?? 3, ctx.signal, async (svm) => {
            const params: SingleDeployParams = {
              infrastructureId: p.infrastructureId,
              imageId: p.imageId,
              uploadedImageId: memo.upload!.id,
              svm,
              ksc: p.ksc,
              passwords: p.passwords,
              parentTaskId: ctx.taskId,
              ...(p.timezone ? { timezone: p.timezone } : {}),
              ...(p.dns ? { dns: p.dns } : {}),
            };
            const result = (await ctx.runChild(SVM_TASK_TYPES.deployOne, params)) as { svmId: string; name: string; vmId: string };
            memo.deployed!.push({ svmId: result.svmId, name: result.name, vmId: result.vmId });
            ctx.progress((100 * ++finished) / p.svms.length);
          });
          if (ctx.signal.aborted) throw ctx.signal.reason;
          if (errors.length) {
            const first = errors[0] as Error;
            throw new TaskError(first instanceof TaskError ? first.code : 'TASK_FAILED', `${p.svms.length > 1 ? `${errors.length} of ${p.svms.length} SVMs failed; the first: ` : ''}${first.message}`);
          }
          ctx.setResult({ svms: memo.deployed });
        },
        async undo(ctx) {
          // SVMs whose own tasks finished are removed too: a failed run leaves the host as it found it.
          // After a crash the memo may predate them, so the finished children are asked as well.
          const known = new Map((memoOf(ctx).deployed ?? []).map((d) => [d.svmId, d]));
          for (const r of (await deps.childResults(ctx.taskId, SVM_TASK_TYPES.deployOne)) as Array<{ svmId: string; name: string; vmId: string }>) if (r?.svmId) known.set(r.svmId, r);
          for (const d of [...known.values()].reverse()) {
            const svm = await deps.store.deployedSvms.get(d.svmId);
            await undeploy(deps, p.infrastructureId, { id: d.vmId, name: d.name }, d.name);
            if (svm) await deps.store.deployedSvms.remove(svm.id);
          }
        },
      },
      {
        name: 'Cleaning up',
        async run(ctx) {
          const upload = memoOf(ctx).upload;
          // Each VM got a full copy of the image, so the uploaded file is not needed on the host any more.
          if (upload?.transferred) await guarded('Deleting the uploaded image failed', () => withConnector(deps, p.infrastructureId, (c) => c.deleteImage(upload.id)));
          memoOf(ctx).cleaned = true;
        },
      },
    ],
  };
}
