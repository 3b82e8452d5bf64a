// A tiny listener set for store change events; a listener that throws never stops the others.
import type { ChangeEvent } from './types.js';

export class ChangeHub {
  private readonly listeners = new Set<(e: ChangeEvent) => void>();

  on(listener: (e: ChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ChangeEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // listeners are caches; one failing must not break a write path
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
