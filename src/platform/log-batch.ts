// Log lines written in batches. Written one by one, each line of an asynchronous pino destination is a write(2) on
// libuv's thread pool plus a wake-up of the event loop when it is done, per output: with one line per relayed
// request and two outputs (the day file and stdout) that cost ~35 µs of CPU per request at concurrency 64, more
// than the relay's routing. Here lines are gathered for at most DELAY_MS (or until MAX_CHARS) and each output gets
// them as one synchronous write: a few writes per second under load, nothing left in a queue when the process
// exits (an exit hook writes what is gathered), and the order of lines kept across outputs.
import type { pino } from 'pino';

/** An output given whole batches; `write` is synchronous (or hands off to a worker that cannot lose the text). */
export type LineOutput = pino.DestinationStream & { flushSync?: () => void };

export const BATCH_DELAY_MS = 50;
const MAX_CHARS = 64 * 1024;

export class LineBatch implements pino.DestinationStream {
  private pending = '';
  private timer: NodeJS.Timeout | null = null;
  private readonly onExit = () => this.flushSync();

  constructor(
    private readonly outputs: readonly LineOutput[],
    /** Called once per failing output and batch (never for a line; must not log through this batch). */
    private readonly onError: (err: Error) => void = () => undefined,
  ) {
    process.on('exit', this.onExit);
  }

  write(line: string): void {
    this.pending += line;
    if (this.pending.length >= MAX_CHARS) this.flush();
    // Unref'd: a batch never keeps the process alive (the exit hook writes it).
    else this.timer ??= setTimeout(this.flush, BATCH_DELAY_MS).unref();
  }

  /** Writes what is gathered to every output; one that fails (stdout closed) does not stop the others. */
  readonly flush = (done?: () => void): void => {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const text = this.pending;
    this.pending = '';
    if (text !== '') {
      for (const o of this.outputs) {
        try {
          o.write(text);
        } catch (e) {
          this.onError(e as Error);
        }
      }
    }
    // pino's logger.flush(cb) passes a callback; the writes above are done when they return.
    if (typeof done === 'function') done();
  };

  /** Writes what is gathered and what the outputs hold. */
  flushSync(): void {
    this.flush();
    for (const o of this.outputs) {
      try {
        o.flushSync?.();
      } catch {
        // an output that is not open yet or already closed holds nothing
      }
    }
  }

  /** Writes what is gathered and stops watching for exit (the outputs are the caller's to close). */
  close(): void {
    this.flushSync();
    process.removeListener('exit', this.onExit);
  }
}
