/** Core's event listeners, typed from `ParleyApi`: each `onX` hands its listener one payload type. */
import type { ParleyApi } from './api.ts';
import type { ApiEvent } from './apiChannels.ts';

export type PayloadOf<E extends ApiEvent> = Parameters<Parameters<ParleyApi[E]>[0]>[0];

export class CoreEvents {
  private readonly listeners = new Map<ApiEvent, Set<(payload: never) => void>>();

  /** The API's `onX(listener) => unsubscribe` for one event. */
  on<E extends ApiEvent>(event: E): ParleyApi[E] {
    const subscribe = (listener: (payload: PayloadOf<E>) => void): (() => void) => {
      let set = this.listeners.get(event);
      if (!set) this.listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => void set.delete(listener);
    };
    return subscribe as ParleyApi[E];
  }

  emit<E extends ApiEvent>(event: E, payload: PayloadOf<E>): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (p: PayloadOf<E>) => void)(payload);
  }
}
