import { EventSourceParserStream } from 'eventsource-parser/stream';
import pRetry from 'p-retry';
import type { ServerEvent } from '../../../main/contract/events.ts';
import { ApiError, NetworkError, apiErrorOf } from './api-error.ts';
import { consoleHeaders, urlOf, type HttpClient } from './http-client.ts';

export type LiveState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export type EventStreamOptions = {
  onEvent: (event: ServerEvent) => void;
  /** `detail` says why the stream is not open, in words for the banner. */
  onState: (state: LiveState, detail?: string) => void;
  minDelayMs?: number;
  maxDelayMs?: number;
};

/**
 * /api/v1/events over fetch rather than EventSource: EventSource cannot send the Authorization
 * header, and the console holds no cookie. The stream reconnects forever with a growing delay;
 * each time it is open again the caller reloads what it shows, since events may have been missed.
 * Only a refused sign-in (401/403) stops it.
 */
export function openEventStream(http: HttpClient, options: EventStreamOptions): { close(): void } {
  const controller = new AbortController();
  const { signal } = controller;
  const url = urlOf(http.baseUrl, '/api/v1/events');

  async function connect(): Promise<ReadableStreamDefaultReader<{ event?: string | undefined; data: string }>> {
    let res: Response;
    try {
      res = await http.fetch(url, { headers: { ...consoleHeaders(http.authorization), accept: 'text/event-stream' }, cache: 'no-store', signal });
    } catch {
      throw new NetworkError(http.baseUrl);
    }
    if (!res.ok || !res.body) throw apiErrorOf(res.status, await res.json().catch(() => undefined));
    return res.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  }

  async function run(): Promise<void> {
    options.onState('connecting');
    while (!signal.aborted) {
      let reader;
      try {
        reader = await pRetry(connect, {
          retries: Number.POSITIVE_INFINITY,
          minTimeout: options.minDelayMs ?? 1_000,
          maxTimeout: options.maxDelayMs ?? 30_000,
          signal,
          shouldRetry: ({ error }) => !(error instanceof ApiError && (error.status === 401 || error.status === 403)),
          onFailedAttempt: ({ error }) => {
            if (!signal.aborted) options.onState('reconnecting', error.message);
          },
        });
      } catch (e) {
        if (!signal.aborted) options.onState('closed', e instanceof Error ? e.message : String(e));
        return;
      }
      options.onState('open');
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          // Names this console does not know (a newer server) reach no listener: harmless.
          if (value.event) options.onEvent({ name: value.event, data: JSON.parse(value.data) as unknown } as ServerEvent);
        }
      } catch {
        // The connection broke mid-stream; fall through to reconnect.
      }
      if (signal.aborted) return;
      options.onState('reconnecting', 'The live connection to the server was lost; reconnecting…');
      // A server that accepts and drops at once must not be hammered in a tight loop.
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, options.minDelayMs ?? 1_000);
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve(undefined)), { once: true });
      });
    }
  }

  void run();
  return {
    close() {
      controller.abort();
      options.onState('closed');
    },
  };
}
