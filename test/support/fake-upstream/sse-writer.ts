// SSE framing and the byte-level transport knobs: chunk boundaries, delays, gzip, socket drops.
import type { ServerResponse } from 'node:http';
import { setImmediate as tick, setTimeout as sleep } from 'node:timers/promises';
import { constants as zlibConstants, createGzip } from 'node:zlib';
import type { StreamKnobs } from './behaviours.js';
import { prng } from './ids.js';
import type { Terminal, WireEvent } from './stream-events.js';

/** Exactly `event: <name>\ndata: <json>\n\n` (CRLF line ends when asked); no `event:` line when the name is ''. */
export function frameEvent(e: WireEvent, crlf = false): Buffer {
  const nl = crlf ? '\r\n' : '\n';
  const head = e.event === '' ? '' : `event: ${e.event}${nl}`;
  return Buffer.from(`${head}data: ${e.raw ?? JSON.stringify(e.data)}${nl}${nl}`, 'utf8');
}

/**
 * Cut offsets (strictly inside the buffer, ascending) for a chunking mode. `frameEnds` are the offsets
 * where events end. 'random' always includes a cut inside the first JSON line, inside the first
 * multi-byte UTF-8 character and between the line breaks that end the first event.
 */
export function planCuts(buf: Buffer, frameEnds: readonly number[], chunking: StreamKnobs['chunking'], seed = 42): number[] {
  const len = buf.length;
  const cuts = new Set<number>();
  if (chunking === undefined || chunking === 'event') frameEnds.forEach((o) => cuts.add(o));
  else if (chunking === 'byte') for (let i = 1; i < len; i++) cuts.add(i);
  else if (typeof chunking === 'number') {
    if (!(chunking >= 1)) throw new Error('fake-upstream: numeric chunking must be >= 1');
    for (let i = Math.floor(chunking); i < len; i += Math.floor(chunking)) cuts.add(i);
  } else {
    const rand = prng(seed);
    for (let i = 1 + Math.floor(rand() * 48); i < len; i += 1 + Math.floor(rand() * 48)) cuts.add(i);
    const dataLine = buf.indexOf('data: {');
    if (dataLine >= 0) cuts.add(dataLine + 11);
    const multi = buf.findIndex((b) => (b & 0xc0) === 0xc0);
    if (multi >= 0) cuts.add(multi + 1);
    const lf = buf.indexOf('\n\n');
    if (lf >= 0) cuts.add(lf + 1);
    const crlf = buf.indexOf('\r\n\r\n');
    if (crlf >= 0) [1, 2, 3].forEach((d) => cuts.add(crlf + d));
  }
  return [...cuts].filter((c) => c > 0 && c < len).sort((a, b) => a - b);
}

/** Cuts `buf` at the given offsets. */
export function splitAt(buf: Buffer, cuts: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...cuts, buf.length]) {
    if (c > prev) out.push(buf.subarray(prev, c));
    prev = c;
  }
  return out;
}

/** gzip each piece with a sync flush so the client can decode progressively; `finish` appends the trailer. */
async function gzipPieces(pieces: Buffer[], finish: boolean): Promise<Buffer[]> {
  const gz = createGzip();
  let pending: Buffer[] = [];
  gz.on('data', (d: Buffer) => pending.push(d));
  const take = (): Buffer => {
    const b = Buffer.concat(pending);
    pending = [];
    return b;
  };
  const out: Buffer[] = [];
  for (const p of pieces) {
    gz.write(p);
    await new Promise<void>((resolve) => gz.flush(zlibConstants.Z_SYNC_FLUSH, () => resolve()));
    out.push(take());
  }
  if (finish) {
    await new Promise<void>((resolve) => {
      gz.once('end', () => resolve());
      gz.end();
    });
    out.push(take());
  } else {
    gz.destroy();
  }
  return out.filter((b) => b.length > 0);
}

/** The bytes to send, already cut into writes, and what to do at the end. */
export interface SsePlan {
  pieces: Buffer[];
  terminal: Terminal;
}

export async function planSse(events: WireEvent[], terminal: Terminal, knobs: StreamKnobs, gzip: boolean): Promise<SsePlan> {
  const frames = events.map((e) => frameEvent(e, knobs.crlf));
  const frameEnds: number[] = [];
  let total = 0;
  for (const f of frames) frameEnds.push((total += f.length));
  const buf = Buffer.concat(frames);
  let pieces = splitAt(buf, planCuts(buf, frameEnds, knobs.chunking, knobs.seed));
  if (gzip) pieces = await gzipPieces(pieces, terminal === 'end');
  return { pieces, terminal };
}

const waitWrite = (res: ServerResponse, chunk: Buffer, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const onAbort = (): void => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    res.write(chunk, () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });

/**
 * Writes the plan (headers must already be sent). Stops silently once `signal` aborts (client gone or
 * fake closing). Between writes it waits `delayMs`, or at least yields one event-loop turn so writes
 * leave as separate TCP segments instead of being coalesced.
 */
export async function writeSse(res: ServerResponse, plan: SsePlan, knobs: StreamKnobs, signal: AbortSignal, destroy: () => void): Promise<void> {
  try {
    for (const [i, piece] of plan.pieces.entries()) {
      if (signal.aborted) return;
      if (i > 0 && knobs.delayMs) await sleep(knobs.delayMs, undefined, { signal });
      else if (i > 0) await tick(undefined, { signal });
      await waitWrite(res, piece, signal);
    }
  } catch {
    return; // aborted while sleeping
  }
  if (signal.aborted) return;
  if (plan.terminal === 'destroy') destroy();
  else res.end();
}
