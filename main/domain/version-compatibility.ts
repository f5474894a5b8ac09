// Which Protection Server (SVM) versions a Light Agent version may connect to (domain.md §1.2
// rule 1). The vendor publishes compatibility as prose per release, so it is data here: a table the
// administrator can extend in settings when a new agent or SVM release appears.
import type { OsFamily } from '../contract/agents.ts';

/**
 * One row: Light Agents whose version starts with `agent` (on `platform`, or on both when absent)
 * may connect to SVMs whose version starts with one of `svm`. A prefix matches whole dot-separated
 * parts: `12.1` matches `12.1.0.1234`, not `12.10.0`. Rows add up: an agent matched by several rows
 * may use the SVMs of all of them.
 */
export interface VersionCompatibilityRow {
  readonly agent: string;
  readonly platform?: OsFamily;
  readonly svm: readonly string[];
  /** Where the row comes from, shown by diagnostics. */
  readonly source: string;
}

export type VersionCompatibilityTable = readonly VersionCompatibilityRow[];

/** Only what the vendor documents (domain.md §1.2 rule 1, seed 000). */
export const DEFAULT_VERSION_COMPATIBILITY: VersionCompatibilityTable = [
  { agent: '5.1', svm: ['5.1'], source: 'KSV LA 5.1: compatible within a single version of Kaspersky Security' },
  { agent: '5.2', svm: ['5.2'], source: 'KSV LA 5.2 agents need SVMs of version 5.2 (6.0 multitenancy, seed 000)' },
  { agent: '12.0', platform: 'linux', svm: ['6.0'], source: 'KES for Linux 12.0 in Light Agent mode ↔ SVM 6.0' },
  { agent: '12.1', platform: 'linux', svm: ['6.1'], source: 'KES for Linux 12.1 in Light Agent mode ↔ SVM 6.1' },
];

/** True when `version` equals `prefix` or continues it with a further dot-separated part. */
export function versionHasPrefix(version: string, prefix: string): boolean {
  return version.length === prefix.length
    ? version === prefix
    : version.length > prefix.length && version.charCodeAt(prefix.length) === 46 /* . */ && version.startsWith(prefix);
}

/**
 * The SVM version prefixes an agent may use, in table order, without duplicates. Empty when no row
 * covers the agent: such an agent is compatible with nothing until the table is extended.
 */
export function compatibleSvmVersions(
  table: VersionCompatibilityTable,
  agentVersion: string,
  platform: OsFamily,
): readonly string[] {
  const out: string[] = [];
  for (const row of table) {
    if (row.platform !== undefined && row.platform !== platform) continue;
    if (!versionHasPrefix(agentVersion, row.agent)) continue;
    for (const svm of row.svm) if (!out.includes(svm)) out.push(svm);
  }
  return out;
}

/** True when an SVM of `svmVersion` is in the list `compatibleSvmVersions` returned. */
export function isSvmVersionCompatible(svmPrefixes: readonly string[], svmVersion: string): boolean {
  for (const prefix of svmPrefixes) if (versionHasPrefix(svmVersion, prefix)) return true;
  return false;
}
