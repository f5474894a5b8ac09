/**
 * The Web Console may reach only the server that served it (its Content-Security-Policy says
 * connect-src 'self', and the server sends no CORS headers). Saying so before trying beats a
 * "Failed to fetch" after it.
 */
export function checkServerAddress(input: string, pageOrigin: string): { baseUrl: string } | { problem: string } {
  const text = input.trim();
  if (!text) return { baseUrl: '' };
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    return { problem: `"${text}" is not a server address. Write it as https://host:port, for example https://127.0.0.1:7271.` };
  }
  if (url.protocol !== 'https:') return { problem: 'The Integration Server speaks HTTPS only: write the address with https://.' };
  if (url.origin !== pageOrigin) {
    return { problem: `This page can talk only to the server that served it (${pageOrigin}). To manage ${url.origin}, open ${url.origin}/ in the browser.` };
  }
  return { baseUrl: url.origin === pageOrigin ? '' : url.origin };
}
