// A scripted stand-in for the server's HTTP answers, for the console's store tests: each route is
// a function of the request, so a test says exactly what the server answers and sees what was sent.
export type Sent = { method: string; path: string; search: string; headers: Headers; body: unknown };
export type Route = (req: Sent) => Response | Promise<Response>;

export const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export function fakeFetch(routes: Record<string, Route>) {
  const sent: Sent[] = [];
  const fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input), 'https://console.test');
    const req: Sent = {
      method: init.method ?? 'GET',
      path: url.pathname,
      search: url.search,
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    sent.push(req);
    const route = routes[`${req.method} ${req.path}`];
    if (!route) return json({ statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', message: `No route ${req.method} ${req.path}` }, 404);
    return route(req);
  };
  return { fetch: fetch as typeof globalThis.fetch, sent };
}

/** An SSE body that sends `events` and then ends (as a server that stops would). */
export function sseBody(events: Array<{ name: string; data: unknown }>): Response {
  const text = 'retry: 3000\n\n' + events.map((e) => `event: ${e.name}\ndata: ${JSON.stringify(e.data)}\n\n`).join('');
  return new Response(text, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}
