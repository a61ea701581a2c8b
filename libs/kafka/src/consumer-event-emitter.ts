import type { Logger } from '@lk/common';
import type { ConsumerEventListener, ConsumerEventMap, ConsumerEventType } from './consumer-events';

/** A tiny typed emitter: a throwing listener is logged, never allowed to break the consumer loop. */
export class ConsumerEventEmitter {
  private readonly listeners = new Map<ConsumerEventType, Set<(event: never) => void>>();

  constructor(private readonly logger: Logger) {}

  on<K extends ConsumerEventType>(type: K, listener: ConsumerEventListener<K>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as (event: never) => void);
    return () => void set.delete(listener as (event: never) => void);
  }

  emit<K extends ConsumerEventType>(type: K, event: ConsumerEventMap[K]): void {
    for (const listener of this.listeners.get(type) ?? []) {
      try {
        (listener as ConsumerEventListener<K>)(event);
      } catch (error) {
        this.logger.error('consumer event listener failed', { eventType: type, error });
      }
    }
  }
}
