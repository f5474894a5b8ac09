import { EventEmitter } from 'node:events';
import type { ServerEvent, ServerEventName, ServerEvents } from '../contract/events.ts';

/** The in-process side of the live channel: features publish, the SSE route subscribes. */
export function createEventBus() {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    publish<K extends ServerEventName>(name: K, data: ServerEvents[K]): void {
      emitter.emit('event', { name, data } as ServerEvent);
    },
    subscribe(listener: (event: ServerEvent) => void): () => void {
      emitter.on('event', listener);
      return () => emitter.off('event', listener);
    },
  };
}
export type EventBus = ReturnType<typeof createEventBus>;
