import Table from 'cli-table3';
import type { SvmInfo } from '../contract/svms.ts';
import { describePath } from './svm-views.ts';

const address = (s: { address: string; ports: readonly number[] }) => `${s.address}:${s.ports.join(',')}`;

/**
 * svm-info as text, in the `Name: value` style of the vendor's `lightagent viisinfo` (domain.md
 * §3.3). The vendor publishes no field list for svm-info, so the fields are ours, and the first
 * line says so. Shared by the CLI and `Accept: text/plain` on the JSON API.
 */
export function svmInfoText(info: SvmInfo, options: { width?: number } = {}): string {
  const alg = info.algorithm.kind === 'standard' ? 'Standard' : `Extended, SVM path scope ${info.algorithm.scope}`;
  const lines: Array<[string, string]> = [
    ['VM name', info.vm.name],
    ['VM BIOS UUID', info.vm.biosId],
    ['Integration Server address', info.integrationServer],
    ['SVM discovery method', info.discoveryMethod],
    ['SVM selection algorithm', alg],
    ['Connection tag', info.connectionTag ?? '(none)'],
    ['Connection protection', info.connectionProtection ? 'Enabled' : 'Disabled'],
    ['Light Agent', `${info.osFamily} ${info.agentVersion}, ${info.osKind} OS`],
    ['Tenant', info.tenant ? `${info.tenant.type}, ${info.tenant.status}` : '(no tenant)'],
    ['VM path', `${describePath(info.path)} (${info.pathSource === 'inventory' ? 'from the inventory' : info.pathSource === 'agent' ? 'as the agent sent it' : 'not known'})`],
    ['Agent last asked', info.lastAskedAt],
  ];
  const svm = info.svm;
  if (info.outcome === 'svm' && svm) {
    lines.push(
      ['SVM to use', `${svm.name} (${svm.id})`],
      ['SVM address', address(svm)],
      ['SVM version', svm.version],
      ['License type', `${svm.licence.edition ?? 'no key'}, key type ${svm.licence.keyType}${svm.licence.valid ? '' : ' (not valid: last resort)'}`],
      ['Locality', `${svm.local ? 'Local' : 'Not local'} (SVM path: ${describePath(svm.path)})`],
      ['Connected Light Agents', `${svm.connectedAgents}, average load ${svm.averageLoad}`],
    );
  } else if (info.outcome === 'sentinel' && svm) {
    lines.push(['SVM to use', `none: the VM's Complete tenant is inactive, so it is given only ${address(svm)}, an address that does not exist`]);
  } else {
    lines.push(['SVM to use', 'none: no SVM passes the rules below; the agent asks again soon']);
  }
  lines.push(
    ['Status', info.connectedTo ? `Connected (${info.connectedTo.name}, by its last report)` : 'No connection (no SVM report lists this VM)'],
    ['Other SVMs offered', info.alternatives.length === 0 ? '(none)' : info.alternatives.map((a) => a.name).join(', ')],
    ['SVMs not offered', String(info.rejected.length)],
  );
  const out = ['svm-info (Lightkeeper format; the vendor publishes none for this command)', ...lines.map(([k, v]) => `${k}: ${v}`)];
  if (info.rejected.length > 0) {
    const table = new Table({ head: ['SVM', 'Address', 'State', 'Why not'], colWidths: [null, null, null, Math.max(40, (options.width ?? 120) - 70)], wordWrap: true, style: { head: [], border: [] } });
    for (const r of info.rejected) table.push([r.name, address(r), r.state, r.reasons.map((x) => `${x.code}: ${x.message}`).join('\n')]);
    out.push(table.toString());
  }
  return out.join('\n') + '\n';
}
