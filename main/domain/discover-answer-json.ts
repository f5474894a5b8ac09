import { discoverAnswer, type SelectionSettings, type SvmRecord, type SvmSelection } from './svm-selection.ts';

/**
 * The discovery answer as the JSON text `DiscoverAnswerSchema` describes, byte for byte what
 * `JSON.stringify(discoverAnswer(selection, settings))` gives. Every discovery sends up to 16 SVMs
 * whose id, name, address and ports change only when the SVM reports (a new record): their text,
 * escaped once per record, is kept beside it, and only the connected-agent count and the load,
 * which move between reports, are written each time.
 */
export function createDiscoverAnswerWriter(): (selection: SvmSelection, settings: SelectionSettings, discounted?: SvmRecord) => string {
  const fixedParts = new WeakMap<SvmRecord, string>();
  const fixedPart = (svm: SvmRecord): string => {
    let part = fixedParts.get(svm);
    if (part === undefined) {
      const text = JSON.stringify({ id: svm.id, name: svm.name, address: svm.agentAddress, ports: svm.agentPorts });
      part = `${text.slice(0, -1)},"connectedAgents":`;
      fixedParts.set(svm, part);
    }
    return part;
  };
  // `discounted`: the SVM the asking agent already counts against; it gets the count selection
  // ranked it by (one fewer), so that the answer's order agrees with the counts it shows.
  return (selection, settings, discounted) => {
    if (selection.sentinel || selection.candidates.length === 0) return JSON.stringify(discoverAnswer(selection, settings));
    let json = '{"svms":[';
    for (let i = 0; i < selection.candidates.length; i++) {
      const svm = selection.candidates[i] as SvmRecord;
      // Finite numbers (counts, and loads the report schema bounds) print as JSON prints them.
      json += `${i === 0 ? '' : ','}${fixedPart(svm)}${svm === discounted ? svm.connectedAgents - 1 : svm.connectedAgents},"averageLoad":${svm.averageLoad}}`;
    }
    return `${json}],"askAgainSeconds":${settings.askAgainSeconds}}`;
  };
}
