// Deploy of 10 SVMs on the lab KVM host (real sshd + libvirtd + QEMU, the lab SVMs' klconfig):
// wall time of the DeploySvm task and the share of time spent in each stage, measured from the
// task events; then the removal of all 10.
import { SshSession, shellQuote } from '../../main/connectors/ssh/ssh-session.ts';
import type { ServerEvent } from '../../main/contract/events.ts';
import { loadPeersEnv } from '../lab/peers-env.ts';
import { deployRequest, labKvmInfrastructure, startSvmLab } from '../support/svm-lab.ts';

export async function svmDeployBench(options: { svms: number; parallelism: number }) {
  const env = loadPeersEnv('ssh', 'svm', 'libvirt');
  const prefix = `lk-bench-${process.pid}`;
  const imageDir = `${env.get('LK_KVM_IMAGE_DIR')}/${prefix}`;
  const lab = await startSvmLab({ svmCount: Math.max(12, options.svms), imageMiB: 256, preallocate: true });
  const host = await SshSession.connect({ host: env.get('LK_SSH_HOST'), port: env.num('LK_SSH_PORT'), username: env.get('LK_SSH_USER'), auth: { password: env.get('LK_SSH_PASSWORD') }, hostKeyFingerprint: env.get('LK_SSH_HOST_KEY_FINGERPRINT') });
  await host.exec(`mkdir -p ${shellQuote(imageDir)}`);
  // Time in each stage, per task type: a stage lasts from its event until the task's next stage event.
  const since = new Map<string, { stage: string; at: number; type: string }>();
  const spent = new Map<string, Map<string, number>>();
  const unsubscribe = lab.lab.server.services.events.subscribe((e: ServerEvent) => {
    if (e.name !== 'task.changed') return;
    const t = e.data;
    const now = performance.now();
    const prev = since.get(t.id);
    if (prev && prev.stage !== t.stage) {
      const byStage = spent.get(prev.type) ?? new Map<string, number>();
      byStage.set(prev.stage, (byStage.get(prev.stage) ?? 0) + now - prev.at);
      spent.set(prev.type, byStage);
    }
    if (!prev || prev.stage !== t.stage) since.set(t.id, { stage: t.stage, at: now, type: t.type });
  });
  try {
    const infra = await lab.api<{ id: string }>('POST', '/api/v1/infrastructures', labKvmInfrastructure(env, 'bench-kvm', imageDir));
    const names = Array.from({ length: options.svms }, (_, i) => `${prefix}-${i + 1}`);
    const started = performance.now();
    const submitted = await lab.api<{ id: string }>('POST', '/api/v1/svm-wizard/deploy', deployRequest(infra.body.id, lab.imageId, names, { parallelism: options.parallelism }));
    const done = await lab.waitTask(submitted.body.id);
    const deployWall = (performance.now() - started) / 1000;
    if (done.state !== 'Completed') throw new Error(`deploy failed: ${JSON.stringify(done.error)}`);
    const svms = (await lab.api<{ items: Array<{ id: string }> }>('GET', '/api/v1/deployed-svms')).body.items;
    const removeStarted = performance.now();
    const removed = await lab.waitTask((await lab.api<{ id: string }>('POST', '/api/v1/svm-wizard/remove', { svmIds: svms.map((s) => s.id), parallelism: options.parallelism })).body.id);
    const removeWall = (performance.now() - removeStarted) / 1000;
    if (removed.state !== 'Completed') throw new Error(`remove failed: ${JSON.stringify(removed.error)}`);
    const rows: string[][] = [];
    for (const type of ['DeploySvm', 'DeploySingleSvm', 'RemoveSvm', 'RemoveSingleSvm']) {
      const stages = [...(spent.get(type) ?? new Map<string, number>())].filter(([k]) => !/^(Created|Queued|Starting|Completed)$/.test(k));
      const total = stages.reduce((n, [, v]) => n + v, 0);
      const summed = type.includes('Single') ? ' (sum over SVMs)' : '';
      rows.push(...stages.map(([k, v]) => [`${type}: ${k}${summed}`, (v / 1000).toFixed(1), `${((100 * v) / total).toFixed(0)} %`]));
    }
    return {
      title: `Deploy of ${options.svms} SVMs on the lab KVM host (QEMU ${env.get('LK_KVM_DOMAIN_TYPE') === 'kvm' ? 'KVM' : 'TCG'}, 256 MiB preallocated qcow2, ${options.parallelism} at once), then their removal; stage shares per task type`,
      header: ['', 'seconds', 'share'],
      rows: [['deploy wall time', deployWall.toFixed(1), ''], ['remove wall time', removeWall.toFixed(1), ''], ...rows],
    };
  } finally {
    unsubscribe();
    for (const name of (await host.exec(`virsh -q -c ${shellQuote(env.get('LK_LIBVIRT_URI'))} list --all --name`)).stdout.split('\n').filter((n) => n.startsWith(prefix))) {
      await host.exec(`virsh -q -c ${shellQuote(env.get('LK_LIBVIRT_URI'))} destroy ${name}; virsh -q -c ${shellQuote(env.get('LK_LIBVIRT_URI'))} undefine ${name}`);
    }
    await host.exec(`rm -rf ${shellQuote(imageDir)}`);
    host.dispose();
    await lab.stop();
  }
}
