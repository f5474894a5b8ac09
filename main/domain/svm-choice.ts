// Which SVM of a discovery answer a Light Agent connects to. Selection (svm-selection.ts) orders
// the list; this is the agent's side of the decision recorded in docs/svm-selection.md: stay on
// the current SVM while it is still offered and reachable, so agents do not flap between SVMs,
// else take the best reachable one. The Light Agent simulator uses it, and discovery assumes it.
import type { DiscoveredSvm } from '../contract/agents.ts';

export function chooseSvm(
  offered: readonly DiscoveredSvm[],
  currentId: string | null,
  reachable: (svm: DiscoveredSvm) => boolean,
): DiscoveredSvm | undefined {
  if (currentId !== null) {
    const current = offered.find((s) => s.id === currentId);
    if (current && reachable(current)) return current;
  }
  return offered.find(reachable);
}
