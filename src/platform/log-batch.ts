// Log lines written in batches. Written one by one, each line of an asynchronous pino destination is a write(2) on
// libuv's thread pool plus a wake-up of the event loop when it is done, per output: with one line per relayed
// request and two outputs (the day file and stdout) that cost ~35 µs of CPU per request at concurrency 64, more
// than the relay's routing. Here lines are gathered for at most BATCH_DELAY_MS (or until MAX_BYTES) and each
// output gets them as one write: a few writes per second under load. The outputs stay asynchronous (a slow disk or
// a full stdout pipe never stops the event loop); at exit, what is gathered is written synchronously.
// Lines are gathered as UTF-8 bytes, off the JavaScript heap, not as a string: a batch held as one growing string
// lives through young-generation GCs, which copy it and its pieces each time; a line copied out at once dies young
// (bench/commits.ts at concurrency 64, two runs of 10 alternated rounds: −4.3 to −6.6 % CPU per request on JSON and
// SSE 20 KB, −2.4 % on the converted chat stream).
import { writeSync } from 'node:fs';
import type { pino } from 'pino';

/** An output given whole batches. */
export interface LineOutput {
  /** Hands the text over (asynchronous destinations queue it). */
  write(text: string): unknown;
  /** Writes what the output has queued, before returning. */
  flushSync?(): void;
  /** Writes its queue and then `text` before returning (at exit, when an asynchronous write would not happen). */
  writeSync?(text: string): void;
}

export const BATCH_DELAY_MS = 50;
/** A batch is handed over once it holds this many bytes. */
const MAX_BYTES = 64 * 1024;

export class LineBatch implements pino.DestinationStream {
  /** The batch: `buf` up to `len`. Room for a full batch and the longest line that fits beside it. */
  private readonly buf = Buffer.allocUnsafe(2 * MAX_BYTES);
  private len = 0;
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
    // A UTF-16 unit is at most 3 bytes of UTF-8: the exact length is counted only for a line that may not fit.
    const room = this.buf.length - this.len;
    const bytes = line.length * 3 > room ? Buffer.byteLength(line) : 0;
    if (bytes > room) {
      this.drain(false);
      // A line longer than the buffer is handed over by itself (the batch before it first: lines keep their order).
      if (bytes > this.buf.length) return this.handOver(line, false);
    }
    this.len += this.buf.write(line, this.len);
    if (this.len >= MAX_BYTES) this.flush();
    // Unref'd: a batch never keeps the process alive (the exit hook writes it).
    else this.timer ??= setTimeout(this.flush, BATCH_DELAY_MS).unref();
  }

  /** Hands what is gathered to every output. */
  readonly flush = (done?: () => void): void => {
    this.drain(false);
    // pino's logger.flush(cb) passes a callback (called once the batch is handed over).
    if (typeof done === 'function') done();
  };

  /** Writes what is gathered and what the outputs hold, before returning. */
  flushSync(): void {
    this.drain(true);
    for (const o of this.outputs) {
      try {
        o.flushSync?.();
      } catch {
        // an output that is not open yet or already closed holds nothing
      }
    }
  }

  /** One output that fails (stdout closed) does not keep the batch from the others. */
  private drain(sync: boolean): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.len === 0) return;
    const text = this.buf.toString('utf8', 0, this.len);
    this.len = 0;
    this.handOver(text, sync);
  }

  private handOver(text: string, sync: boolean): void {
    for (const o of this.outputs) {
      try {
        if (sync && o.writeSync) o.writeSync(text);
        else o.write(text);
      } catch (e) {
        this.onError(e as Error);
      }
    }
  }

  /** Writes what is gathered and stops watching for exit (the outputs are the caller's to close). */
  close(): void {
    this.flushSync();
    process.removeListener('exit', this.onExit);
  }
}

/**
 * Writes what an asynchronous destination has queued, then all of `text` to its descriptor `fd`, before returning
 * (the order lines were logged in). A non-blocking descriptor that is full is waited for, up to ~1 s.
 */
export function writeAfterQueue(queue: { flushSync(): void }, fd: number, text: string): void {
  queue.flushSync();
  let rest = Buffer.from(text);
  let waited = 0;
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(fd, rest));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN' || waited >= 1000) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      waited += 10;
    }
  }
}
