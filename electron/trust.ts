// Which origins the window may show and which certificate the embedded server must present. Only
// two origins are ever trusted: the app's own pages (lightkeeper://app) and the embedded server,
// whose address and certificate fingerprint come from the server process itself.
export const APP_SCHEME = 'lightkeeper';
export const APP_ORIGIN = `${APP_SCHEME}://app`;

export type ServerPin = { origin: string; hostname: string; fingerprint256: string };

export type Trust = {
  isTrustedUrl(url: string): boolean;
  isAppPage(url: string): boolean;
  isServerUrl(url: string): boolean;
  server(): ServerPin | undefined;
  setServer(url: string, fingerprint256: string): void;
};

function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    // Non-special schemes report origin "null"; rebuild it so lightkeeper://app compares equal.
    return parsed.origin !== 'null' ? parsed.origin : `${parsed.protocol}//${parsed.host}`;
  } catch {
    return undefined;
  }
}

export function createTrust(): Trust {
  let pin: ServerPin | undefined;
  const isAppPage = (url: string) => originOf(url) === APP_ORIGIN;
  const isServerUrl = (url: string) => pin !== undefined && originOf(url) === pin.origin;
  return {
    isAppPage,
    isServerUrl,
    isTrustedUrl: (url) => isAppPage(url) || isServerUrl(url),
    server: () => pin,
    setServer(url, fingerprint256) {
      const parsed = new URL(url);
      if (parsed.protocol !== 'https:') throw new Error(`The embedded server must be HTTPS, not ${url}`);
      pin = { origin: parsed.origin, hostname: parsed.hostname.replace(/^\[|\]$/g, ''), fingerprint256 };
    },
  };
}
