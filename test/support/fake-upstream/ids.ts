// Id generation and the seeded PRNG used by the fake upstream.
import { createHash, randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(length: number): string {
  const bytes = randomBytes(length);
  let s = '';
  for (const b of bytes) s += BASE62[b % 62];
  return s;
}

/** `msg_01…` like the real API. */
export const messageId = (): string => `msg_01${base62(22)}`;
/** `toolu_01…` like the real API. */
export const toolUseId = (): string => `toolu_01${base62(22)}`;
/** `req_011C…` like the real API. */
export const requestId = (): string => `req_011C${base62(20)}`;

/** A stable UUID derived from a string (so each credential maps to one organization id). */
export function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Base64 of a digest: a deterministic stand-in for opaque signatures and redacted data. */
export function opaque(seed: string, bytes = 48): string {
  let out = Buffer.alloc(0);
  for (let i = 0; out.length < bytes; i++) {
    out = Buffer.concat([out, createHash('sha256').update(`${i}:${seed}`).digest()]);
  }
  return out.subarray(0, bytes).toString('base64');
}

/** mulberry32: tiny deterministic PRNG returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
