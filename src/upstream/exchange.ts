// One upstream exchange on the relay's hot path, through undici's dispatch() rather than request(): the head comes
// as a promise, and the body is pushed to one consumer at a time with back-pressure — no Readable stream and no
// AbortController. The HTTP chunks of one socket read reach the consumer as one chunk on the next tick: an SSE
// upstream sends one chunk per event, and one client write per event cost the relay ~17 % of its CPU per request on
// SSE and chat streams (bench/commits.ts, 8 alternated rounds at c=64).
import type { Dispatcher } from 'undici';

type Headers = Record<string, string | string[] | undefined>;

const abortError = () => Object.assign(new Error('The request was aborted'), { name: 'AbortError', code: 'UND_ERR_ABORTED' });

/** Who reads the body: `data` returns false to pause it until `resume()`. */
export interface BodySink {
  data(chunk: Buffer): boolean;
  end(): void;
  error(e: Error): void;
}

export class UpstreamExchange implements Dispatcher.DispatchHandler {
  statusCode = 0;
  headers: Headers = {};
  /** Settles with the response head (or the transport failure before it). */
  readonly head: Promise<void>;
  private settleHead!: { resolve(): void; reject(e: unknown): void };
  private headDone = false;
  private controller: Dispatcher.DispatchController | null = null;
  /** Chunks that came while no sink was reading (the socket is paused meanwhile). */
  private queue: Buffer[] = [];
  private sink: BodySink | null = null;
  /** The sink asked to wait (`data` returned false) and has not resumed. */
  private held = false;
  /** A delivery of what came in this tick is due on the next one. */
  private scheduled = false;
  private ended = false;
  private failure: Error | null = null;
  /** Aborted by us (the client went away), possibly before a connection was assigned. */
  aborted = false;

  /** `mapError` turns a transport failure before the head into what the caller should see. */
  constructor(private readonly mapError: (e: Error, aborted: boolean) => unknown = (e) => e) {
    this.head = new Promise((resolve, reject) => (this.settleHead = { resolve, reject }));
    this.head.catch(() => undefined); // a failure nobody awaits any more (client gone) is not unhandled
  }

  /** Ends the exchange from our side: the head (if still awaited) rejects, the upstream request is cancelled. */
  abort(): void {
    if (this.aborted || this.ended) return;
    this.aborted = true;
    this.sink = null;
    const e = abortError();
    if (!this.headDone) {
      this.headDone = true;
      this.settleHead.reject(e);
    }
    this.controller?.abort(e);
  }

  /** Attaches `sink`: queued chunks first, then the rest as it arrives; the end or error when it comes. */
  read(sink: BodySink): void {
    this.sink = sink;
    this.held = false;
    this.flush();
  }

  /** Stops delivering to the current sink (the socket stays paused until the next `read`). */
  detach(): void {
    this.sink = null;
    this.controller?.pause();
  }

  /** The sink is ready for more after returning false. */
  resume(): void {
    if (!this.held) return;
    this.held = false;
    this.flush();
  }

  get done(): boolean {
    return this.ended && this.queue.length === 0;
  }

  private flush(): void {
    const sink = this.sink;
    if (!sink) return;
    while (this.queue.length > 0) {
      // What is queued goes as one chunk: the reader makes one client write of it, not one per HTTP chunk.
      const chunk = this.queue.length === 1 ? this.queue.pop()! : Buffer.concat(this.queue.splice(0));
      if (!sink.data(chunk)) {
        this.held = true;
        this.controller?.pause();
        return;
      }
      if (this.sink !== sink) return; // the sink detached itself
    }
    if (this.failure) sink.error(this.failure);
    else if (this.ended) sink.end();
    else this.controller?.resume();
  }

  // undici's side

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.aborted) controller.abort(abortError());
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: Headers): void {
    if (statusCode < 200 || this.headDone) return; // 1xx informational heads are not the answer
    this.statusCode = statusCode;
    this.headers = headers;
    this.headDone = true;
    this.settleHead.resolve();
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.queue.push(chunk);
    if (!this.sink || this.held) controller.pause();
    else if (!this.scheduled) {
      // The HTTP chunks undici parses from one socket read (an SSE stream's events, one chunk each) reach the
      // reader together, on the next tick: before any I/O, when the client's socket would send them anyway.
      this.scheduled = true;
      process.nextTick(this.deliver);
    }
  }

  private readonly deliver = (): void => {
    this.scheduled = false;
    if (this.held || this.queue.length === 0) return;
    try {
      this.flush();
    } catch (e) {
      // As undici does when a handler throws on its data: the exchange fails with that error (the reader hears of it).
      this.controller?.abort(e as Error);
    }
  };

  onResponseEnd(): void {
    this.ended = true;
    if (!this.held) this.flush();
  }

  onResponseError(_c: Dispatcher.DispatchController | null, e: Error): void {
    if (!this.headDone) {
      this.headDone = true;
      this.settleHead.reject(this.mapError(e, this.aborted));
      return;
    }
    if (this.aborted) return;
    this.failure = e;
    this.ended = true;
    if (!this.held) this.flush();
  }
}
