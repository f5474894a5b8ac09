/**
 * Fault injection for the SVM lifecycle suites, one helper per stage that cannot be broken from
 * the outside by the request alone: an SVM that never shows an address, a klconfig command that
 * answers FAILED, a hook run at the moment the address is asked for.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { initialState, readState, writeState } from '../../main/lab/klconfig/state.ts';
import type { SvmLab } from './svm-lab.ts';

type Resolve = SvmLab['source']['resolve'];

/** Replaces the lab's address source for one scenario; returns the restore function. */
export function overrideAddressSource(lab: SvmLab, resolve: Resolve, timing: { timeoutMs?: number } = {}): () => void {
  lab.lab.server.services.svmLifecycle.setAddressSource({ resolve, release: lab.source.release }, { pollMs: 200, ...timing });
  return () => lab.lab.server.services.svmLifecycle.setAddressSource(lab.source, { pollMs: 200, timeoutMs: 60_000 });
}

/** The SVM never reports an address: the stage times out. */
export const neverAddress = (lab: SvmLab, timeoutMs = 2000) => overrideAddressSource(lab, async () => null, { timeoutMs });

/** The SVM's `command` answers `ERROR:<code> <message>` / KLCONFIG FAILED. */
export function klconfigFault(lab: SvmLab, command: string, fault: { code?: string; message: string }, onlySvm?: string) {
  return overrideAddressSource(lab, async (args) => {
    const endpoint = await lab.source.resolve(args);
    if (endpoint && (onlySvm === undefined || args.svmName === onlySvm)) {
      const dir = lab.host.stateDir(endpoint.host);
      const state = { ...initialState(new Date()), ...readState(dir) };
      state.faults[command] = fault;
      writeState(dir, state);
    }
    return endpoint;
  });
}

/** Runs `hook` once, the first time an address is asked for (the VM exists and runs then). */
export function atAddressStage(lab: SvmLab, hook: () => Promise<void>) {
  let ran = false;
  return overrideAddressSource(lab, async (args) => {
    if (!ran) {
      ran = true;
      await hook();
    }
    return lab.source.resolve(args);
  });
}

/**
 * A row for `name` in deployed_svms, written straight into the server's SQLite file as another
 * deployment would; `remove` takes it out again (its secrets are not sealed, so it must not stay).
 */
export function conflictingRegistration(lab: SvmLab, infrastructureId: string, name: string) {
  const db = new DatabaseSync(join(lab.lab.dataDir, 'lightkeeper.sqlite'));
  const id = randomUUID();
  return {
    insert() {
      const t = new Date().toISOString();
      db.prepare("INSERT INTO deployed_svms (id, name, infrastructure_id, vm_id, address, ssh_port, ssh_host_key, vcpus, memory_mib, secrets_sealed, task_id, created, updated) VALUES (?, ?, ?, 'other', '192.0.2.1', 22, 'SHA256:x', 1, 64, 'x', 'other', ?, ?)").run(id, name, infrastructureId, t, t);
    },
    remove() {
      db.prepare('DELETE FROM deployed_svms WHERE id = ?').run(id);
      db.close();
    },
  };
}
