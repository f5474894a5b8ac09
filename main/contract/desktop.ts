// The desktop shell's boundaries, each declared once (design §9): the window ↔ main process API
// that the preload exposes as `window.lightkeeper`, and the main ↔ server-host messages of the
// utilityProcess that runs the Integration Server. Types and names only: both sides import this.

/** IPC channel names; the preload and the main process use nothing else. */
export const DESKTOP_CHANNELS = {
  serverInfo: 'lightkeeper:server-info',
  appVersions: 'lightkeeper:app-versions',
  openExternal: 'lightkeeper:open-external',
  showInFolder: 'lightkeeper:show-in-folder',
  chooseSvmImage: 'lightkeeper:choose-svm-image',
  retryServer: 'lightkeeper:retry-server',
  submitPassphrase: 'lightkeeper:submit-passphrase',
  /** main → window only: every change of the embedded server's state. */
  serverStatus: 'lightkeeper:server-status',
} as const;
export type DesktopChannel = (typeof DESKTOP_CHANNELS)[keyof typeof DESKTOP_CHANNELS];

export type ServerInfo = {
  /** The console's origin, e.g. https://127.0.0.1:7271 */
  url: string;
  /** SHA-256 of the server's certificate, colon-separated hex: what agents and consoles pin. */
  fingerprint256: string;
  dataFolder: string;
  /**
   * While no account has a password: the one-time token of the first-run setup, handed to the
   * desktop window (and to nobody else) so the console can set the passwords without a terminal.
   */
  setupToken?: string;
};

export type AppVersions = { app: string; electron: string; chrome: string; node: string };

/** Why the embedded server is not running, when it is not; the status page words each case. */
export type ServerProblem = 'not-set-up' | 'data-key' | 'crashed' | 'error';

export type ServerStatus =
  | { state: 'starting'; attempt: number }
  | { state: 'running'; server: ServerInfo }
  | { state: 'restarting'; attempt: number; inMs: number; reason: string }
  | { state: 'failed'; problem: ServerProblem; reason: string; dataFolder: string }
  | { state: 'needs-passphrase'; mode: 'create' | 'unlock'; reason: string }
  | { state: 'stopping' }
  | { state: 'stopped' };

export type PassphraseResult = { accepted: true } | { accepted: false; reason: string };

/** What the preload exposes to the window as `window.lightkeeper`: named functions, no raw IPC. */
export type DesktopApi = {
  serverInfo(): Promise<ServerInfo | null>;
  appVersions(): Promise<AppVersions>;
  /** Opens an https link in the system browser after the main process has validated it. */
  openExternal(url: string): Promise<boolean>;
  /** Shows a file of the data folder (a report, a log) in the file manager. */
  showInFolder(path: string): Promise<boolean>;
  /** A native file dialog for an SVM image; null when cancelled. */
  chooseSvmImage(): Promise<string | null>;
  retryServer(): Promise<void>;
  submitPassphrase(passphrase: string): Promise<PassphraseResult>;
  /** Calls back on every server status change; returns the function that stops it. */
  onServerStatus(listener: (status: ServerStatus) => void): () => void;
};

/** The SVM image formats the file dialog offers (design: deploy from qcow2/OVA/VMDK/raw images). */
export const SVM_IMAGE_EXTENSIONS = ['qcow2', 'ova', 'ovf', 'vmdk', 'img', 'raw', 'iso'] as const;

// ---- main ↔ server-host (the utilityProcess) ----

export type ServerHostConfig = {
  dataDir: string;
  host: string;
  port?: number;
  consoleDir: string;
  logLevel: string;
};

/** main → host over the parent port. `start` carries the MessagePort on which the key is asked. */
export type MainToHost = { type: 'start'; config: ServerHostConfig } | { type: 'stop' };

/** host → main over the parent port. */
export type HostToMain =
  | { type: 'ready'; url: string; fingerprint256: string; dataFolder: string; setupToken?: string }
  | { type: 'failed'; problem: ServerProblem; reason: string }
  | { type: 'stopped' };

/** On the key port: the host asks, main answers. The key never travels on the parent port. */
export type KeyRequest = { type: 'get-key'; create: boolean };
export type KeyReply = { type: 'key'; key: Uint8Array } | { type: 'key-error'; reason: string };
