// The top-level fields of a JSON object body, without parsing the whole body. A relay forwards the client's bytes
// unchanged and needs only a few small fields to route them (model, stream, metadata); JSON.parse of a 20–60 KB
// agent request would build thousands of objects per request only to throw them away. The scanner walks the
// bytes once (strings are skipped with Buffer.indexOf, which is native), checks the structure, and remembers
// where each top-level value lies; a field is parsed from its slice when first asked for, the whole object only
// when something needs it (a body rewrite, a translation).
//
// What the scan checks: one object at the top level, balanced brackets, strings closed, keys followed by ':',
// values separated by ',', and the literals and numbers between them. What it does not check: control
// characters and escape sequences inside strings — a body with those is forwarded as sent and the upstream
// answers its own 400. Anything the scan refuses is parsed with JSON.parse, so the error a client sees is
// JSON.parse's, exactly as before.

import { RelayError } from '../core/errors.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const enum C {
  Space = 0x20,
  Tab = 0x09,
  Lf = 0x0a,
  Cr = 0x0d,
  OpenObj = 0x7b,
  CloseObj = 0x7d,
  OpenArr = 0x5b,
  CloseArr = 0x5d,
  Colon = 0x3a,
  Comma = 0x2c,
}

/** Index just past the string that opens at `i` (a '"'), or -1 when it never closes. */
function skipString(b: Buffer, i: number): number {
  // Most strings in a request (keys, types, names) are short: a byte loop finds their end without a native call.
  const n = Math.min(b.length, i + 24);
  let j = i + 1;
  for (; j < n; j++) {
    const c = b[j];
    if (c === QUOTE) return j + 1;
    if (c === BACKSLASH) break;
  }
  let from = j;
  for (;;) {
    const q = b.indexOf(QUOTE, from);
    if (q === -1) return -1;
    let k = q - 1;
    while (b[k] === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q + 1; // an even run of backslashes does not escape the quote
    from = q + 1;
  }
}

const isWs = (c: number) => c === C.Space || c === C.Lf || c === C.Cr || c === C.Tab;

function skipWs(b: Buffer, i: number): number {
  while (i < b.length && isWs(b[i])) i++;
  return i;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** Index just past the digits from `i` (at least one), or -1. */
function digits(b: Buffer, i: number): number {
  if (!isDigit(b[i])) return -1;
  while (isDigit(b[i])) i++;
  return i;
}

/** Index just past the JSON number at `i`, or -1 (the grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?). */
function skipNumber(b: Buffer, i: number): number {
  if (b[i] === 0x2d) i++; // -
  if (b[i] === 0x30) i++;
  else if ((i = digits(b, i)) === -1) return -1;
  if (b[i] === 0x2e && (i = digits(b, i + 1)) === -1) return -1; // .
  if (b[i] === 0x65 || b[i] === 0x45) {
    i++;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    if ((i = digits(b, i)) === -1) return -1;
  }
  return i;
}

/** Whether `word` (ASCII) is at `i`. */
function literalAt(b: Buffer, i: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word.charCodeAt(k)) return false;
  return true;
}

/** Index just past the literal or number at `i`, or -1 when it is neither (or runs on into other characters). */
function skipScalar(b: Buffer, i: number): number {
  const c = b[i];
  let j: number;
  if (c === 0x74) j = literalAt(b, i, 'true') ? i + 4 : -1;
  else if (c === 0x66) j = literalAt(b, i, 'false') ? i + 5 : -1;
  else if (c === 0x6e) j = literalAt(b, i, 'null') ? i + 4 : -1;
  else j = skipNumber(b, i);
  if (j === -1 || j === b.length) return j;
  const next = b[j];
  return isWs(next) || next === C.Comma || next === C.CloseObj || next === C.CloseArr || next === C.Colon ? j : -1;
}

/** Index just past the value at `i` (after whitespace), or -1 when it is malformed. */
function skipValue(b: Buffer, i: number): number {
  const c = b[i];
  if (c === QUOTE) return skipString(b, i);
  if (c !== C.OpenObj && c !== C.OpenArr) return skipScalar(b, i);
  // A container: walk to its matching close, checking separators on the way. `stack` holds the open brackets.
  const stack: number[] = [c];
  let j = skipWs(b, i + 1);
  if (b[j] === (c === C.OpenObj ? C.CloseObj : C.CloseArr)) return j + 1;
  for (;;) {
    const top = stack[stack.length - 1];
    if (top === C.OpenObj) {
      if (b[j] !== QUOTE) return -1;
      j = skipString(b, j);
      if (j === -1) return -1;
      j = skipWs(b, j);
      if (b[j] !== C.Colon) return -1;
      j = skipWs(b, j + 1);
    }
    const v = b[j];
    if (v === C.OpenObj || v === C.OpenArr) {
      j = skipWs(b, j + 1);
      if (b[j] === (v === C.OpenObj ? C.CloseObj : C.CloseArr))
        j++; // empty: a complete value
      else {
        stack.push(v);
        continue;
      }
    } else {
      j = v === QUOTE ? skipString(b, j) : skipScalar(b, j);
      if (j === -1) return -1;
    }
    // After a value: ',' continues the innermost container; a close bracket ends it (and maybe others).
    for (;;) {
      j = skipWs(b, j);
      const open = stack[stack.length - 1];
      if (b[j] === C.Comma) {
        j = skipWs(b, j + 1);
        break;
      }
      if (b[j] !== (open === C.OpenObj ? C.CloseObj : C.CloseArr)) return -1;
      stack.pop();
      j++;
      if (stack.length === 0) return j;
    }
  }
}

/**
 * Tools arrays seen lately, as bytes. An agent sends the same tools with every request (Claude Code 2.1: 63 KB of a
 * 78 KB request, most of its structure), and walking them byte by byte was most of the scan's time. A
 * value whose bytes are exactly those of one seen before ends where that one ended (a JSON value is self-delimiting),
 * so it is skipped with one native compare. A candidate is compared only when the byte after its length could follow
 * a value; one that matches none is remembered in place of the oldest.
 */
const knownTools: Buffer[] = [];
const KNOWN_TOOLS_MAX = 8;
const KNOWN_TOOLS_MIN_BYTES = 1024;
const KNOWN_TOOLS_MAX_BYTES = 256 * 1024;
let knownToolsNext = 0;

/** The end of a tools array at `start` that is one seen before, else of the value there (-1 when malformed). */
function skipTools(b: Buffer, start: number): number {
  if (b[start] !== C.OpenArr) return skipValue(b, start);
  for (const k of knownTools) {
    const end = start + k.length;
    const next = b[end];
    if ((next === C.Comma || next === C.CloseObj || isWs(next)) && b.compare(k, 0, k.length, start, end) === 0) return end;
  }
  const end = skipValue(b, start);
  const n = end - start;
  if (end !== -1 && n >= KNOWN_TOOLS_MIN_BYTES && n <= KNOWN_TOOLS_MAX_BYTES) {
    knownTools[knownToolsNext] = Buffer.from(b.subarray(start, end));
    knownToolsNext = (knownToolsNext + 1) % KNOWN_TOOLS_MAX;
  }
  return end;
}

/**
 * Top-level keys of the request bodies the relay routes (Anthropic, OpenAI chat and Responses, Gemini), as strings
 * made once. A key read from the bytes as a new string would be hashed again when the scan stores it and compared
 * character by character when a field is looked up; one of these is neither.
 */
const KNOWN_KEYS = new Map<number, { bytes: Buffer; name: string }[]>();
const KNOWN_KEY_NAMES =
  'model messages system tools tool_choice metadata max_tokens stream temperature top_p top_k thinking ' +
  'stop_sequences context_management service_tier input instructions store reasoning include ' +
  'prompt_cache_key parallel_tool_calls text stream_options max_completion_tokens reasoning_effort ' +
  'response_format user n stop seed contents generationConfig safetySettings ' +
  'systemInstruction toolConfig cachedContent request project user_prompt_id';
for (const name of KNOWN_KEY_NAMES.split(' ')) {
  const bytes = Buffer.from(name);
  const list = KNOWN_KEYS.get(bytes.length) ?? [];
  list.push({ bytes, name });
  KNOWN_KEYS.set(bytes.length, list);
}

/** The key whose bytes (without quotes or escapes) are `b[start..end)`: a known one's string, else a new one. */
function keyAt(b: Buffer, start: number, end: number): string {
  const known = KNOWN_KEYS.get(end - start);
  if (known) {
    next: for (const k of known) {
      for (let j = 0; j < k.bytes.length; j++) if (b[start + j] !== k.bytes[j]) continue next;
      return k.name;
    }
  }
  return b.toString('utf8', start, end);
}

/** Byte ranges of the top-level values of an object body, by key (the last one wins, as with JSON.parse); null when malformed. */
export function scanObject(b: Buffer): Map<string, [number, number]> | null {
  const fields = new Map<string, [number, number]>();
  let i = skipWs(b, 0);
  if (b[i] !== C.OpenObj) return null;
  i = skipWs(b, i + 1);
  if (b[i] === C.CloseObj) return skipWs(b, i + 1) === b.length ? fields : null;
  for (;;) {
    if (b[i] !== QUOTE) return null;
    const keyEnd = skipString(b, i);
    if (keyEnd === -1) return null;
    let escaped = false;
    for (let k = i + 1; k < keyEnd - 1 && !escaped; k++) escaped = b[k] === BACKSLASH;
    const key = escaped ? (JSON.parse(b.toString('utf8', i, keyEnd)) as string) : keyAt(b, i + 1, keyEnd - 1);
    i = skipWs(b, keyEnd);
    if (b[i] !== C.Colon) return null;
    const start = skipWs(b, i + 1);
    const end = key === 'tools' ? skipTools(b, start) : skipValue(b, start);
    if (end === -1) return null;
    fields.set(key, [start, end]);
    i = skipWs(b, end);
    if (b[i] === C.Comma) {
      i = skipWs(b, i + 1);
      continue;
    }
    if (b[i] !== C.CloseObj) return null;
    return skipWs(b, i + 1) === b.length ? fields : null;
  }
}

/** Byte range of the first element of the array at `b[start]` (its value, without whitespace); null when empty or malformed. */
export function firstElement(b: Buffer, start: number): [number, number] | null {
  if (b[start] !== C.OpenArr) return null;
  const i = skipWs(b, start + 1);
  if (b[i] === C.CloseArr) return null;
  const end = skipValue(b, i);
  return end === -1 ? null : [i, end];
}

/** JSON.parse that gives undefined (which JSON never parses to) for text that is not JSON. */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** What the scan lets through and JSON.parse refuses (a bad escape inside a string) is the client's 400, not a 500. */
function parseOrRefuse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RelayError('BAD_JSON', `Request body is not valid JSON: ${(e as Error).message}`);
  }
}

const NOT_PLAIN = Symbol('not plain');

/** Strings up to this many bytes are read without JSON.parse when they hold no escape (a model name, an id). */
const PLAIN_STRING_MAX = 256;

/**
 * The value of a scanned scalar that needs no parser: `true`, `false`, `null`, or a short string without escapes or
 * control characters (JSON.parse of such a string is its bytes as UTF-8, and its set-up costs more than the read).
 * NOT_PLAIN for anything else, which JSON.parse reads (and refuses, if it must).
 */
function scalarAt(b: Buffer, start: number, end: number): unknown {
  const c = b[start];
  if (c === QUOTE) {
    if (end - start > PLAIN_STRING_MAX + 2) return NOT_PLAIN;
    for (let k = start + 1; k < end - 1; k++) if (b[k] === BACKSLASH || b[k] < 0x20) return NOT_PLAIN;
    return b.toString('utf8', start + 1, end - 1);
  }
  const n = end - start;
  if (n === 4 && c === 0x74) return true; // the scan checked the literal's letters
  if (n === 5 && c === 0x66) return false;
  if (n === 4 && c === 0x6e) return null;
  return NOT_PLAIN;
}

/**
 * Fields up to this many bytes keep their parsed value; longer ones (a conversation, a system prompt) are parsed again
 * if read again. Routing reads a long field once at most (the conversation hash), and a streaming request lives for
 * minutes: keeping its parsed prompt beside the raw bytes would double what each open stream holds.
 */
const KEEP_PARSED_MAX = 4096;

/**
 * What a view does, shared by every view: its target is the JsonFields itself (whose own properties are configurable,
 * so the view may leave them out), not a fresh object with four fresh closures per request.
 */
const VIEW: ProxyHandler<JsonFields> = {
  get: (f, name) => (typeof name === 'string' ? f.get(name) : undefined),
  has: (f, name) => typeof name === 'string' && f.has(name),
  ownKeys: (f) => f.keys(),
  getOwnPropertyDescriptor: (f, name) =>
    typeof name === 'string' && f.has(name) ? { value: f.get(name), enumerable: true, configurable: true, writable: false } : undefined,
};

/**
 * A JSON object body read lazily: `get` parses one top-level field (short ones once), `object` the whole body once.
 */
export class JsonFields {
  private parsed = new Map<string, unknown>();
  private whole: Record<string, unknown> | undefined;

  private constructor(
    readonly raw: Buffer,
    private readonly ranges: Map<string, [number, number]> | null,
    whole?: Record<string, unknown>,
  ) {
    this.whole = whole;
  }

  /** Scans `raw`; null when it is not a well-formed object (the caller parses it to say why). */
  static scan(raw: Buffer): JsonFields | null {
    const ranges = scanObject(raw);
    return ranges ? new JsonFields(raw, ranges) : null;
  }

  /** Wraps an object parsed elsewhere (the scan was unsure; JSON.parse accepted it). */
  static of(raw: Buffer, whole: Record<string, unknown>): JsonFields {
    return new JsonFields(raw, null, whole);
  }

  /** A top-level field's value (undefined when absent). */
  get(name: string): unknown {
    if (this.whole) return this.whole[name];
    if (this.parsed.has(name)) return this.parsed.get(name);
    const r = this.ranges!.get(name);
    if (!r) return undefined;
    let v = scalarAt(this.raw, r[0], r[1]);
    if (v === NOT_PLAIN) v = parseOrRefuse(this.raw.toString('utf8', r[0], r[1]));
    if (r[1] - r[0] <= KEEP_PARSED_MAX) this.parsed.set(name, v);
    return v;
  }

  /**
   * The top-level fields as a plain-looking object whose properties parse on first read: code written for a parsed
   * body (`body.model`, `body.metadata?.user_id`) reads it unchanged. Spreading it parses every field.
   */
  view(): Record<string, unknown> {
    if (this.whole) return this.whole;
    return new Proxy(this, VIEW) as unknown as Record<string, unknown>;
  }

  /** The scanned fields' names (a view's keys). */
  keys(): string[] {
    return [...this.ranges!.keys()];
  }

  has(name: string): boolean {
    return this.ranges!.has(name);
  }

  /** The whole object. */
  object(): Record<string, unknown> {
    this.whole ??= parseOrRefuse(this.raw.toString('utf8')) as Record<string, unknown>;
    return this.whole;
  }
}
