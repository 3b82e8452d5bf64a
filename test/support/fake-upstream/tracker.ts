// Tracks open responses and client aborts, and lets tests wait for either.
import type { ServerResponse } from 'node:http';

export class ResponseTracker {
  private readonly open = new Set<ServerResponse>();
  private readonly listeners = new Set<() => void>();
  /** Responses the client closed before they were finished. */
  aborted = 0;
  /** Set while the fake shuts down: connections it destroys are not client aborts. */
  closing = false;

  /**
   * Starts tracking a response. The returned signal aborts when the response closes for any reason;
   * call `markIntentional()` before destroying the socket on purpose (drop knobs).
   */
  track(res: ServerResponse): { signal: AbortSignal; markIntentional(): void } {
    const controller = new AbortController();
    let intentional = false;
    this.open.add(res);
    res.on('close', () => {
      this.open.delete(res);
      if (!res.writableFinished && !intentional && !this.closing) this.aborted++;
      controller.abort();
      this.changed();
    });
    return { signal: controller.signal, markIntentional: () => void (intentional = true) };
  }

  openCount(): number {
    return this.open.size;
  }

  /** Wakes waiters; call after any observable change (e.g. a request recorded). */
  changed(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Resolves once `done()` holds, re-checked on every change; rejects after `timeoutMs`. */
  waitUntil(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!done()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake-upstream: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }
}
