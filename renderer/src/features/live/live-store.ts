import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ServerEvent, ServerEventName, ServerEvents } from '../../../../main/contract/events.ts';
import { openEventStream, type LiveState } from '../../api/event-stream.ts';
import type { HttpClient } from '../../api/http-client.ts';

type Listener<K extends ServerEventName> = (data: ServerEvents[K]) => void;

/**
 * The server's live channel, shared by every page: one stream per signed-in console. Stores
 * subscribe by event name, and `onResync` runs after every reconnect (events sent while the
 * connection was down are lost, so each store reloads what it shows).
 */
export const useLiveStore = defineStore('live', () => {
  const state = ref<LiveState>('closed');
  const detail = ref<string | undefined>();
  /** Set once the stream was open and then dropped: the banner shows only after a real loss. */
  const lost = ref(false);
  const listeners = new Map<ServerEventName, Set<Listener<ServerEventName>>>();
  const resyncers = new Set<() => void>();
  let stream: { close(): void } | undefined;
  let wasOpen = false;

  function dispatch(event: ServerEvent): void {
    for (const l of listeners.get(event.name) ?? []) l(event.data);
  }

  function start(http: HttpClient, options: { minDelayMs?: number; maxDelayMs?: number } = {}): void {
    stop();
    wasOpen = false;
    stream = openEventStream(http, {
      ...options,
      onEvent: dispatch,
      onState(next, why) {
        state.value = next;
        detail.value = why;
        if (next === 'reconnecting' && wasOpen) lost.value = true;
        if (next === 'open') {
          const reconnected = wasOpen;
          wasOpen = true;
          lost.value = false;
          if (reconnected) for (const r of resyncers) r();
        }
      },
    });
  }

  function stop(): void {
    stream?.close();
    stream = undefined;
    state.value = 'closed';
    lost.value = false;
  }

  function on<K extends ServerEventName>(name: K, listener: Listener<K>): () => void {
    const set = listeners.get(name) ?? new Set();
    listeners.set(name, set);
    set.add(listener as Listener<ServerEventName>);
    return () => set.delete(listener as Listener<ServerEventName>);
  }

  function onResync(fn: () => void): () => void {
    resyncers.add(fn);
    return () => resyncers.delete(fn);
  }

  return { state, detail, lost, start, stop, on, onResync, dispatch };
});
