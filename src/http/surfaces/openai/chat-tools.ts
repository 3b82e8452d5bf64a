// An agent sends the same tools with every request of a session (Claude Code: tens of KB of definitions). For a
// Claude model they are converted to Anthropic's form; parsing, converting and serialising them again on every
// request was most of the chat request's cost (the bench's 11 KB tools array: ~29 µs to parse, ~23 µs to serialise,
// and hundreds of objects for the GC), so the conversion is kept per distinct tools array, keyed by its exact bytes.
// The rest of the body is parsed as before, with the tools' value left out, and the Anthropic body gets the tools'
// JSON spliced in as bytes (chat-body.ts). An array is kept from its second request on (see `seenOnce`). A
// conversion is a pure function of those bytes, so a hit can only give a client what its own bytes convert to (that
// the same array was sent before, by anyone, is all its speed could tell).
import { convertTools, type ConvertedTools } from '../../../translate/openai-chat-to-anthropic/index.js';

/** Tools arrays shorter than this are converted each time: a lookup costs about what a few small tools do. */
export const TOOLS_CACHE_MIN_BYTES = 1024;
/** Bounds of the cache: distinct tools arrays, and the bytes they hold (their bytes, parsed tools and JSON: ~3× each). */
const CACHE_MAX_ENTRIES = 256;
const CACHE_MAX_BYTES = 16 * 1024 * 1024;
/** Bytes of a tools array that go into its fingerprint (hashing all of an 11 KB array, even natively, costs ~8 µs). */
const FINGERPRINT_SAMPLES = 256;

interface Entry extends ConvertedTools {
  /** The client's tools bytes: a hit is an exact match of them, whatever the fingerprint says. */
  key: Buffer;
  fingerprint: number;
  /** What the entry holds, for the byte bound. */
  size: number;
}

/** Entries by fingerprint (arrays of one length that agree on the sampled bytes share a bucket). */
const buckets = new Map<number, Entry[]>();
/** Least recently used first: a hit moves its entry to the end. */
const lru = new Set<Entry>();
let cachedBytes = 0;

function fingerprintOf(raw: Buffer, start: number, end: number): number {
  const n = end - start;
  const step = Math.max(1, Math.floor(n / FINGERPRINT_SAMPLES));
  let h = n;
  for (let i = start; i < end; i += step) h = Math.imul(h ^ raw[i], 0x01000193);
  return h;
}

function evict(e: Entry): void {
  lru.delete(e);
  const bucket = buckets.get(e.fingerprint)!;
  bucket.splice(bucket.indexOf(e), 1);
  if (bucket.length === 0) buckets.delete(e.fingerprint);
  cachedBytes -= e.size;
}

function remember(e: Entry): void {
  const bucket = buckets.get(e.fingerprint);
  if (bucket) bucket.push(e);
  else buckets.set(e.fingerprint, [e]);
  lru.add(e);
  cachedBytes += e.size;
  for (const old of lru) {
    if (lru.size <= CACHE_MAX_ENTRIES && cachedBytes <= CACHE_MAX_BYTES) break;
    evict(old);
  }
}

/**
 * Tools arrays seen once, by fingerprint (the last one of each; at most 256 and 4 MB, oldest dropped first). A
 * conversion is kept only when the same bytes come a second time: filling the cache costs about twice what
 * converting the whole body does (the cached objects live on into the old generation), which a one-off array (tools
 * that change with every request, if only by a timestamp) would pay each time.
 */
const seenOnce = new Map<number, Buffer>();
let seenOnceBytes = 0;
const SEEN_ONCE_MAX_ENTRIES = 256;
const SEEN_ONCE_MAX_BYTES = 4 * 1024 * 1024;

/**
 * The copy of `raw[start, end)` kept when it was seen once before (it is now to be cached); else null, and it is
 * remembered as seen once.
 */
function secondSighting(raw: Buffer, start: number, end: number, fingerprint: number): Buffer | null {
  const n = end - start;
  const prev = seenOnce.get(fingerprint);
  if (prev !== undefined) {
    seenOnce.delete(fingerprint);
    seenOnceBytes -= prev.length;
    if (prev.length === n && raw.compare(prev, 0, n, start, end) === 0) return prev;
  }
  seenOnce.set(fingerprint, Buffer.from(raw.subarray(start, end)));
  seenOnceBytes += n;
  for (const [fp, b] of seenOnce) {
    if (seenOnce.size <= SEEN_ONCE_MAX_ENTRIES && seenOnceBytes <= SEEN_ONCE_MAX_BYTES) break;
    seenOnce.delete(fp);
    seenOnceBytes -= b.length;
  }
  return null;
}

/**
 * Converted tools for the bytes `raw[start, end)`; null when they are new (or do not convert: chatToMessages then
 * says why, in order), and the caller parses the whole body.
 */
export function convertedFor(raw: Buffer, start: number, end: number): ConvertedTools | null {
  const n = end - start;
  const fingerprint = fingerprintOf(raw, start, end);
  for (const e of buckets.get(fingerprint) ?? []) {
    if (e.key.length === n && raw.compare(e.key, 0, n, start, end) === 0) {
      lru.delete(e);
      lru.add(e);
      return e;
    }
  }
  const key = secondSighting(raw, start, end, fingerprint);
  if (key === null) return null;
  let list: ConvertedTools['list'];
  try {
    list = convertTools(JSON.parse(raw.toString('utf8', start, end)));
  } catch {
    return null;
  }
  // Shared by every request that sends these bytes: frozen, so code that would change one request's tools fails loudly.
  if (list !== undefined) deepFreeze(list);
  const json = list === undefined ? null : Buffer.from(JSON.stringify(list));
  // The parsed objects are counted as about the array's size again.
  remember({ list, json, key, fingerprint, size: 2 * n + (json?.length ?? 0) });
  return { list, json };
}

function deepFreeze(v: unknown): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
}

/** Tools arrays the cache holds now, and their bytes (for tests). */
export function toolsCacheSize(): { entries: number; bytes: number } {
  return { entries: lru.size, bytes: cachedBytes };
}
