// The app's status page: what the embedded server is doing while the console cannot be shown, the
// passphrase form when the OS has no keychain, and Retry. It reaches the main process only through
// the preload's window.lightkeeper.
const api = window.lightkeeper;
const headline = document.getElementById('headline');
const detail = document.getElementById('detail');
const form = document.getElementById('passphrase');
const input = document.getElementById('passphrase-input');
const retry = document.getElementById('retry');

const PROBLEMS = {
  'not-set-up': (s) => `This data folder has no accounts yet. In a terminal, in the Lightkeeper folder, run:\n  npx lightkeeper setup --data "${s.dataFolder}"\nthen press Retry.`,
  'data-key': (s) => s.reason,
  crashed: (s) => `${s.reason}\nThe log files are in ${s.dataFolder}/logs.`,
  error: (s) => s.reason,
};

function show(status) {
  form.hidden = status.state !== 'needs-passphrase';
  retry.hidden = status.state !== 'failed';
  switch (status.state) {
    case 'starting':
      headline.textContent = status.attempt > 1 ? `Starting the Integration Server (attempt ${status.attempt})…` : 'Starting the Integration Server…';
      detail.textContent = '';
      break;
    case 'running':
      headline.textContent = 'The Integration Server is running; opening the console…';
      detail.textContent = `Certificate SHA-256: ${status.server.fingerprint256}`;
      break;
    case 'restarting':
      headline.textContent = `The Integration Server stopped; restarting in ${Math.round(status.inMs / 1000)} s.`;
      detail.textContent = status.reason;
      break;
    case 'failed':
      headline.textContent = 'The Integration Server cannot start.';
      detail.textContent = (PROBLEMS[status.problem] ?? PROBLEMS.error)(status);
      break;
    case 'needs-passphrase':
      headline.textContent = status.mode === 'create' ? 'Choose a passphrase for the data key' : 'Unlock the data key';
      detail.textContent = status.reason;
      input.autocomplete = status.mode === 'create' ? 'new-password' : 'current-password';
      input.value = '';
      input.focus();
      break;
    case 'stopping':
      headline.textContent = 'Stopping the Integration Server (tasks pause at a safe point)…';
      detail.textContent = '';
      break;
    default:
      headline.textContent = 'The Integration Server is stopped.';
      detail.textContent = '';
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const result = await api.submitPassphrase(input.value);
  input.value = '';
  if (!result.accepted) detail.textContent = result.reason;
});
retry.addEventListener('click', () => api.retryServer());
api.onServerStatus(show);
