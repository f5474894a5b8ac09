import type { PreflightCheck } from '../../../../main/contract/svm-deployment.ts';

/**
 * How to fix a failed or doubtful pre-flight check, beside the server's own message: which step of
 * the wizard or which page holds the thing to change. Unknown checks (newer servers) get none.
 */
export function adviceFor(check: Pick<PreflightCheck, 'id' | 'result'>): string | undefined {
  if (check.result === 'ok') return undefined;
  const id = check.id;
  if (id.startsWith('password:')) return 'Go back to "Administration Server and passwords" and choose a password that follows the rule: at most 60 characters, Latin letters, digits and the listed symbols; 8 or more with 3 kinds of characters is recommended.';
  if (id === 'image' || id === 'image:config-password') return 'Import the image again on the Infrastructures page (with its factory configuration password), then choose it in "SVM image".';
  if (id === 'infrastructure') return 'Add the connection on the Infrastructures page, then choose it in "Infrastructure".';
  if (id === 'host-key') return "The host presents a different identity than the pinned one. If you know why (reinstalled host), use Re-pin on the Infrastructures page after comparing it with the host's own; otherwise do not deploy there.";
  if (id === 'credentials') return 'The host refused the login: remove the connection on the Infrastructures page and add it again with the right account and credential.';
  if (id === 'reachable') return 'Lightkeeper cannot reach the host: check its address and port on the Infrastructures page, that it is running, and that no firewall is in between.';
  if (id.startsWith('access:')) return 'The account lacks something on the host (the message names it). Fix it on the host, then run the pre-flight again; Test on the Infrastructures page shows every check.';
  if (id === 'name-free' || id === 'name-unique') return 'Choose another SVM name in "SVM settings".';
  if (id === 'ip-unique') return 'Give every SVM its own static address in "SVM settings".';
  if (id === 'host' || id === 'storage' || id === 'network') return 'Choose one the infrastructure has in "SVM settings" (or leave it to the platform default).';
  if (id === 'free-space') return 'Free space on that storage, choose another storage in "SVM settings", or deploy fewer SVMs at once.';
  if (id === 'anti-affinity') return 'Put the SVMs of one cluster on different hosts in "SVM settings", so that one host failure does not take them all.';
  if (id === 'svm') return 'Reload the wizard and choose SVMs that are still registered.';
  return undefined;
}
