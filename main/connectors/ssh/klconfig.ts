/**
 * The SVM's klconfig API over SSH (domain.md §4.4): `ssh klconfig@<SVM> <command> [args]`, the
 * klconfig account's password being the "configuration password". Every answer ends with
 * `KLCONFIG OK` or `KLCONFIG FAILED`; an `ERROR:<NNNN description>` line (some errors have no code)
 * or a `Usage: …` line may precede it, and an error line may even precede `KLCONFIG OK`.
 */
import { SshSession, shellQuote, type ExecOptions, type ExecResult, type SshConnectOptions } from './ssh-session.ts';

export type KlconfigResult = {
  ok: boolean;
  /** The four-digit code of the ERROR line, when it has one (e.g. `0130`). */
  code?: string;
  /** The ERROR line's description, or the Usage line's text. */
  message?: string;
  /** Set when the SVM answered with a `Usage: …` line. */
  usage?: string;
  /** Every other line before the result line, joined with `\n`. */
  output: string;
};

/** The answer had no result line: the peer is not klconfig, or the command died half-way. */
export class KlconfigProtocolError extends Error {
  readonly command: string;
  readonly exec: ExecResult;
  constructor(command: string, exec: ExecResult) {
    const tail = (exec.stdout.trim().split('\n').pop() ?? '') || exec.stderr.trim().split('\n').pop() || '(no output)';
    super(`The SVM did not answer "${command}" with a KLCONFIG result (exit ${exec.code ?? exec.signal}; last line: ${tail}).`);
    this.name = 'KlconfigProtocolError';
    this.command = command;
    this.exec = exec;
  }
}

/** A FAILED result turned into an exception by KlconfigClient.check(). */
export class KlconfigError extends Error {
  readonly command: string;
  readonly result: KlconfigResult;
  constructor(command: string, result: KlconfigResult) {
    const why = result.usage !== undefined ? `wrong usage (Usage: ${result.usage})` : result.code ? `error ${result.code}: ${result.message}` : (result.message ?? 'no reason given');
    super(`klconfig "${command}" failed on the SVM: ${why}.`);
    this.name = 'KlconfigError';
    this.command = command;
    this.result = result;
  }
}

const RESULT_LINE = /^KLCONFIG (OK|FAILED)$/;
const ERROR_LINE = /^ERROR:\s*(?:(\d{4})(?:\s+|$))?(.*)$/;
const USAGE_LINE = /^Usage:\s*(.*)$/;

/** Parses one answer; null when it has no `KLCONFIG OK|FAILED` last line. */
export function parseKlconfigResult(stdout: string): KlconfigResult | null {
  const lines = stdout.replace(/\r/g, '').split('\n');
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const last = lines.pop()?.trim() ?? '';
  const verdict = RESULT_LINE.exec(last);
  if (!verdict) return null;
  const result: KlconfigResult = { ok: verdict[1] === 'OK', output: '' };
  const rest: string[] = [];
  for (const line of lines) {
    const error = ERROR_LINE.exec(line);
    const usage = USAGE_LINE.exec(line);
    if (error) {
      if (error[1]) result.code = error[1];
      else delete result.code;
      result.message = error[2]!.trim();
    } else if (usage) {
      result.usage = usage[1]!.trim();
      result.message ??= result.usage;
    } else {
      rest.push(line);
    }
  }
  result.output = rest.join('\n');
  return result;
}

export type KlconfigUser = 'root' | 'klconfig';
export type ServiceAction = 'start' | 'stop' | 'restart' | 'status';

export type StaticNetwork = {
  iface: string;
  ip: string;
  netmask: string;
  broadcast: string;
  /** Set on one interface only. */
  gateway?: string;
};

export type NetworkAgentTarget = { address: string; sslPort: number; port?: number };

/** What the client needs from a connection: SshSession has it, tests may pass their own. */
export type KlconfigTransport = Pick<SshSession, 'exec'>;

export class KlconfigClient {
  readonly #transport: KlconfigTransport;

  constructor(transport: KlconfigTransport) {
    this.#transport = transport;
  }

  /** Logs in as `klconfig` (the configuration password or a key set with setsshkey). */
  static async connect(options: Omit<SshConnectOptions, 'username'> & { username?: string }): Promise<{ client: KlconfigClient; session: SshSession }> {
    const session = await SshSession.connect({ ...options, username: options.username ?? 'klconfig' });
    return { client: new KlconfigClient(session), session };
  }

  /** Throws KlconfigError for a FAILED result; returns the result otherwise. */
  static check(command: string, result: KlconfigResult): KlconfigResult {
    if (!result.ok) throw new KlconfigError(command, result);
    return result;
  }

  /** Runs any command; args are quoted for the SVM's shell-style splitting. */
  async run(command: string, args: readonly (string | number)[] = [], options: ExecOptions = {}): Promise<KlconfigResult> {
    const line = [command, ...args.map((a) => shellQuote(String(a)))].join(' ');
    if (/[\r\n]/.test(line)) throw new Error(`A klconfig argument contains a line break: ${command}`);
    const exec = await this.#transport.exec(line, options);
    const result = parseKlconfigResult(exec.stdout);
    if (!result) throw new KlconfigProtocolError(command, exec);
    return result;
  }

  #firstLine = (result: KlconfigResult) => result.output.split('\n').find((l) => l.trim() !== '')?.trim();

  /** `apiversion`: `value` is e.g. `1.0.0`. */
  async apiVersion(): Promise<KlconfigResult & { value?: string }> {
    const r = await this.run('apiversion');
    const value = this.#firstLine(r);
    return value && r.ok ? { ...r, value } : r;
  }

  /** `version`: the SVM version, e.g. `5.1.5.57`. */
  async version(): Promise<KlconfigResult & { value?: string }> {
    const r = await this.run('version');
    const value = this.#firstLine(r);
    return value && r.ok ? { ...r, value } : r;
  }

  /** `test`: id, date, product and version, uptime, then `DONE` (`done` tells whether it came). */
  async test(): Promise<KlconfigResult & { done: boolean }> {
    const r = await this.run('test');
    return { ...r, done: r.output.split('\n').some((l) => l.trim() === 'DONE') };
  }

  connectorLang(lang: string) {
    return this.run('connectorlang', [lang]);
  }

  /** A Linux tz name (e.g. `GMT`); applied after the SVM reboots. */
  timezone(tz: string) {
    return this.run('timezone', [tz]);
  }

  /** Static address; applied after a reboot or `manageservices restart network`. */
  network(n: StaticNetwork) {
    return this.run('network', [n.iface, n.ip, n.netmask, n.broadcast, ...(n.gateway !== undefined ? [n.gateway] : [])]);
  }

  /** DHCP on `iface`; `primary` makes it the default route and DNS source (the last one set wins). */
  dhcp(iface: string, primary?: boolean) {
    return this.run('dhcp', [iface, ...(primary === undefined ? [] : [primary ? 'yes' : 'no'])]);
  }

  dns(servers: readonly string[]) {
    return this.run('dns', servers);
  }

  dnsSearch(domains: readonly string[]) {
    return this.run('dnssearch', domains);
  }

  /** The FQDN of the primary address (`testsvm.example.com.`); error 0100 when DNS does not know it. */
  async getDnsHostname(): Promise<KlconfigResult & { hostname?: string }> {
    const r = await this.run('getdnshostname');
    const hostname = this.#firstLine(r);
    return hostname && r.ok ? { ...r, hostname } : r;
  }

  /** Points the SVM's Network Agent at the Administration Server. */
  nagent(t: NetworkAgentTarget) {
    return this.run('nagent', [t.address, t.sslPort, ...(t.port !== undefined ? [t.port] : [])]);
  }

  /** Sets the root or klconfig password; the password travels on stdin, never on the command line. */
  passwd(user: KlconfigUser, newPassword: string) {
    if (/[\r\n]/.test(newPassword)) throw new Error('A password cannot contain a line break.');
    return this.run('passwd', [user], { stdin: `${newPassword}\n` });
  }

  /** Sets the public key the klconfig account accepts (one OpenSSH `.pub` line, on stdin). */
  setSshKey(publicKey: string) {
    const line = publicKey.trim();
    if (/[\r\n]/.test(line)) throw new Error('Give one public key line to setsshkey.');
    return this.run('setsshkey', [], { stdin: `${line}\n` });
  }

  manageServices(action: ServiceAction, service: string) {
    return this.run('manageservices', [action, service]);
  }
}
