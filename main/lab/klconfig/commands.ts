/**
 * The klconfig commands of domain.md §4.4, as the lab SVM answers them. Outputs, error texts and
 * codes are the documented ones where the docs give them; where they do not (marked "lab:"), the
 * wording is ours and kept in the same style. Everything here works on the state object it is
 * given; main.ts does the I/O.
 */
import { scryptSync, randomBytes } from 'node:crypto';
import { isIP, isIPv4 } from 'node:net';
import { SERVICE_NAMES, type KlconfigState, type ServiceName } from './state.ts';

export type KlconfigError = { code?: string; message: string };

export type CommandResult = {
  /** Lines printed before the result line. */
  output: string[];
  /** Printed as `ERROR:<code> <message>` (or `ERROR:<message>` without a code) before the result. */
  error?: KlconfigError;
  /** Printed as `Usage: <usage>`. */
  usage?: string;
  ok: boolean;
};

export type CommandContext = {
  state: KlconfigState;
  /** Reads one line of stdin (passwd, setsshkey); only those commands touch stdin. */
  readStdinLine: () => string;
  now: Date;
  user: { uid: number; gid: number; name: string };
  /** The lab's DNS zone: PTR name by IPv4 address. */
  dnsPtr: ReadonlyMap<string, string>;
  writeAuthorizedKeys: (text: string) => void;
  writeResolvedConf: (text: string) => void;
};

export const API_VERSION = '1.0.0';

/** The password rule for root and klconfig (domain.md §4.4): ≤ 60 characters of this set. */
export const PASSWORD_MAX = 60;
const PASSWORD_CHARSET = /^[A-Za-z0-9!#$%&'()*"+,\-./\\:;<=>_?@[\]^`{|}~]+$/;
export const passwordAllowed = (password: string) => password.length <= PASSWORD_MAX && PASSWORD_CHARSET.test(password);

const ok = (...output: string[]): CommandResult => ({ output, ok: true });
const failed = (message: string, code?: string): CommandResult => ({ output: [], error: code ? { code, message } : { message }, ok: false });
const usage = (text: string): CommandResult => ({ output: [], usage: text, ok: false });

const IFACE = /^[A-Za-z][A-Za-z0-9_.-]{0,14}$/;
const HOSTNAME = /^(?=.{1,253}\.?$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const LANG = /^[a-z]{2}(-[A-Z]{2})?$/;
const SSH_PUBLIC_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\r\n]*)?$/;

function isNetmask(mask: string): boolean {
  if (!isIPv4(mask)) return false;
  const bits = mask.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
  const inverted = ~bits & 0xffffffffn;
  return (inverted & (inverted + 1n)) === 0n; // ones, then zeros
}

const isPort = (text: string) => /^\d{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65535;

function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `${salt.toString('hex')}:${scryptSync(password, salt, 32).toString('hex')}`;
}

export function verifyPasswordHash(stored: string, password: string): boolean {
  const [salt, hash] = stored.split(':');
  return !!salt && !!hash && scryptSync(password, Buffer.from(salt, 'hex'), 32).toString('hex') === hash;
}

function primaryInterface(state: KlconfigState): [string, KlconfigState['interfaces'][string]] | undefined {
  const entries = Object.entries(state.interfaces);
  return entries.find(([, i]) => i.primary) ?? entries.find(([, i]) => i.gateway) ?? entries[0];
}

function formatUptime(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return `up ${days} days, ${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

function resolvedConf(state: KlconfigState): string {
  return ['[Resolve]', `DNS=${state.dns.join(' ')}`, `Domains=${state.dnsSearch.join(' ')}`, ''].join('\n');
}

type Handler = (args: string[], ctx: CommandContext) => CommandResult;

const handlers: Record<string, Handler> = {
  apiversion: () => ok(API_VERSION),

  version: (_args, { state }) => ok(state.version),

  test: (_args, { state, now, user }) => {
    const booted = Date.parse(state.bootedAt);
    const uptime = Number.isNaN(booted) ? 0 : Math.max(0, (now.getTime() - booted) / 1000);
    return ok(
      `uid=${user.uid}(${user.name}) gid=${user.gid}(${user.name}) groups=${user.gid}(${user.name})`,
      now.toUTCString(),
      `${state.productName} ${state.version}`,
      formatUptime(uptime),
      'DONE',
    );
  },

  connectorlang: (args, { state }) => {
    const [lang] = args;
    if (args.length !== 1 || !lang) return usage('connectorlang lang');
    if (!LANG.test(lang)) return failed(`Wrong language format ${lang}`); // lab:
    state.connectorLang = lang;
    return ok();
  },

  timezone: (args, { state }) => {
    const [tz] = args;
    if (args.length !== 1 || !tz) return usage('timezone TZ');
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
    } catch {
      return failed(`Unknown time zone ${tz}`); // lab:
    }
    state.pendingTimezone = tz;
    return ok('The time zone will be applied after reboot'); // lab:
  },

  network: (args, { state }) => {
    if (args.length < 4 || args.length > 5) return usage('network Iface IP NetMask Broadcast [GateWay]');
    const [iface, ip, netmask, broadcast, gateway] = args as [string, string, string, string, string | undefined];
    if (!IFACE.test(iface)) return failed(`Wrong interface format ${iface}`);
    if (!isIPv4(ip)) return failed(`Wrong IP address format ${ip}`); // lab:
    if (!isNetmask(netmask)) return failed(`Wrong netmask format ${netmask}`); // lab:
    if (!isIPv4(broadcast)) return failed(`Wrong broadcast format ${broadcast}`); // lab:
    if (gateway !== undefined && !isIPv4(gateway)) return failed(`Wrong gateway format ${gateway}`); // lab:
    if (gateway !== undefined) {
      // The gateway is set on only one interface.
      for (const other of Object.values(state.interfaces)) delete other.gateway;
    }
    const previous = state.interfaces[iface];
    state.interfaces[iface] = {
      mode: 'static',
      ip,
      netmask,
      broadcast,
      ...(gateway !== undefined ? { gateway } : {}),
      primary: previous?.primary ?? false,
    };
    state.networkApplied = false;
    return ok();
  },

  dhcp: (args, { state }) => {
    if (args.length < 1 || args.length > 2) return usage('dhcp Iface [yes|no]');
    const [iface, flag] = args as [string, string | undefined];
    if (flag !== undefined && flag !== 'yes' && flag !== 'no') return failed(`'yes' or 'no' should be specified`);
    if (!IFACE.test(iface)) return failed(`Wrong interface format ${iface}`);
    const primary = flag === 'yes';
    // Only one interface is primary (DEFROUTE=yes, PEERDNS=yes): the last one set wins.
    if (primary) for (const other of Object.values(state.interfaces)) other.primary = false;
    state.interfaces[iface] = { mode: 'dhcp', primary };
    state.networkApplied = false;
    return ok();
  },

  dns: (args, ctx) => {
    if (args.length === 0) return usage('dns Server1 [Server2 ...]');
    const bad = args.find((a) => isIP(a) === 0);
    if (bad !== undefined) return failed(`Wrong address format ${bad}`);
    ctx.state.dns = [...args];
    ctx.writeResolvedConf(resolvedConf(ctx.state));
    return ok();
  },

  dnssearch: (args, ctx) => {
    if (args.length === 0) return usage('dnssearch Domain1 [Domain2 ...]');
    const bad = args.find((a) => !HOSTNAME.test(a));
    if (bad !== undefined) return failed(`Wrong domain format ${bad}`); // lab:
    ctx.state.dnsSearch = [...args];
    ctx.writeResolvedConf(resolvedConf(ctx.state));
    return ok();
  },

  getdnshostname: (args, { state, dnsPtr }) => {
    if (args.length !== 0) return usage('getdnshostname');
    const primary = primaryInterface(state);
    const ip = primary ? (primary[1].mode === 'static' ? primary[1].ip : state.dhcpLeases[primary[0]]) : undefined;
    const name = ip ? dnsPtr.get(ip) : undefined;
    if (!name) return failed(`Could not look up ${ip ?? '(no address)'} in DNS`, '0100');
    return ok(name.endsWith('.') ? name : `${name}.`);
  },

  nagent: (args, { state }) => {
    if (args.length < 2 || args.length > 3) return usage('nagent Address SslPort [Port]');
    if (!state.nagent.installed) return failed('klnagent not installed');
    if (!state.nagent.eulaAccepted) return failed('The klnagent End User Agreement is not accepted');
    const [address, sslPort, port] = args as [string, string, string | undefined];
    if (isIP(address) === 0 && !HOSTNAME.test(address)) return failed(`Wrong address format ${address}`);
    if (!isPort(sslPort)) return failed(`Wrong port format ${sslPort}`);
    if (port !== undefined && !isPort(port)) return failed(`Wrong port format ${port}`);
    state.nagent = { ...state.nagent, address, sslPort: Number(sslPort), port: port === undefined ? null : Number(port) };
    return ok();
  },

  passwd: (args, { state, readStdinLine }) => {
    const [user] = args;
    if (args.length !== 1 || (user !== 'root' && user !== 'klconfig')) return usage('passwd root|klconfig');
    const password = readStdinLine();
    if (password.length === 0 || !passwordAllowed(password)) return failed('Invalid password', '0130');
    state.passwordHashes[user] = hashPassword(password);
    return ok();
  },

  setsshkey: (args, { readStdinLine, writeAuthorizedKeys }) => {
    if (args.length !== 0) return usage('setsshkey < public_key');
    const key = readStdinLine().trim();
    if (!SSH_PUBLIC_KEY.test(key)) return failed('Wrong SSH public key format'); // lab:
    writeAuthorizedKeys(`${key}\n`);
    return ok();
  },

  manageservices: (args, { state }) => {
    const [action, service] = args;
    const actions = ['start', 'stop', 'restart', 'status'];
    if (args.length !== 2 || !action || !service || !actions.includes(action)) {
      return usage(`manageservices start|stop|restart|status ${SERVICE_NAMES.join('|')}`);
    }
    if (!(SERVICE_NAMES as readonly string[]).includes(service)) return failed(`Unknown service ${service}`); // lab:
    const name = service as ServiceName;
    if (action === 'status') return ok(`${name} is ${state.services[name]}`);
    if (name === 'klnagent' && !state.nagent.installed) return failed('klnagent not installed');
    state.services[name] = action === 'stop' ? 'stopped' : 'running';
    if (name === 'network' && action !== 'stop') state.networkApplied = true;
    return ok();
  },
};

export const COMMANDS = Object.keys(handlers);

export function runCommand(command: string, args: string[], ctx: CommandContext): CommandResult {
  const handler = handlers[command];
  if (!handler) return { output: [`Commands: ${COMMANDS.join(', ')}`], error: { message: `Unknown command ${command}` }, ok: false }; // lab:
  const fault = ctx.state.faults[command];
  if (fault) {
    if (fault.remaining !== undefined) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) delete ctx.state.faults[command];
    }
    return failed(fault.message, fault.code);
  }
  return handler(args, ctx);
}

/** The result protocol: output lines, optional `Usage:` or `ERROR:` line, then the result line. */
export function formatResult(result: CommandResult): string {
  const lines = [...result.output];
  if (result.usage !== undefined) lines.push(`Usage: ${result.usage}`);
  if (result.error) lines.push(`ERROR:${result.error.code ? `${result.error.code} ` : ''}${result.error.message}`);
  lines.push(result.ok ? 'KLCONFIG OK' : 'KLCONFIG FAILED');
  return `${lines.join('\n')}\n`;
}

/** Splits SSH_ORIGINAL_COMMAND like a shell would for plain words and '…' / "…" quoting. */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
