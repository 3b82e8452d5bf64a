// The one crypto module: AES-256-GCM sealing of stored secrets, HMAC of relay keys, scrypt password hashes,
// random tokens. Keys are derived from ENCRYPTION_KEY with HKDF so each purpose has its own key.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const SEAL_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function derive(master: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(master, 'utf8'), Buffer.alloc(0), `crs:${purpose}`, 32));
}

/** Seals and opens secrets at rest, and computes the lookup HMAC of relay keys. */
export interface Secrets {
  /** AES-256-GCM; output `v1.<iv>.<tag>.<ciphertext>` (base64url parts). */
  seal(plaintext: string): string;
  /** Throws when the value was not sealed with this ENCRYPTION_KEY or was tampered with. */
  open(sealed: string): string;
  /** HMAC-SHA256 (hex) of a relay API key; the only form in which keys are stored. */
  hashApiKey(key: string): string;
}

export function createSecrets(encryptionKey: string): Secrets {
  const sealKey = derive(encryptionKey, 'seal');
  const hmacKey = derive(encryptionKey, 'api-key-hmac');
  return {
    seal(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [SEAL_VERSION, iv.toString('base64url'), tag.toString('base64url'), ct.toString('base64url')].join('.');
    },
    open(sealed) {
      const parts = sealed.split('.');
      if (parts.length !== 4 || parts[0] !== SEAL_VERSION) throw new Error('Sealed value has an unknown format');
      const iv = Buffer.from(parts[1], 'base64url');
      const tag = Buffer.from(parts[2], 'base64url');
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error('Sealed value is malformed');
      const decipher = createDecipheriv('aes-256-gcm', sealKey, iv);
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(Buffer.from(parts[3], 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new Error('Sealed value cannot be opened with this ENCRYPTION_KEY');
      }
    },
    hashApiKey(key) {
      return createHmac('sha256', hmacKey).update(key, 'utf8').digest('hex');
    },
  };
}

/** Random bytes as lowercase hex. */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

const ALNUM = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A random password of unambiguous letters and digits (rejection sampling, no modulo bias). */
export function randomPassword(length = 20): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 256 - (256 % ALNUM.length)) out += ALNUM[b % ALNUM.length];
      if (out.length === length) break;
    }
  }
  return out;
}

// --- passwords (scrypt) ---

/** OWASP's current scrypt figure (Password Storage Cheat Sheet): N=2^17, r=8, p=1. */
export const SCRYPT_DEFAULT_N = 131_072;
const SCRYPT = { r: 8, p: 1, keylen: 32 } as const;
/** Stored parameters beyond these are refused rather than evaluated (a tampered hash must not exhaust memory). */
const LIMITS = { maxN: 1_048_576, maxR: 32, maxP: 16 } as const;

/** scrypt needs 128·N·r bytes; Node refuses above `maxmem` (32 MiB by default, less than N=2^17 needs). */
const maxmemFor = (N: number, r: number) => 256 * N * r;

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

function parseHash(stored: string): (ScryptParams & { salt: Buffer; expected: Buffer }) | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const pow2 = Number.isInteger(N) && N > 1 && (N & (N - 1)) === 0;
  if (!pow2 || N > LIMITS.maxN || !Number.isInteger(r) || r < 1 || r > LIMITS.maxR || !Number.isInteger(p) || p < 1 || p > LIMITS.maxP) return null;
  return { N, r, p, salt: Buffer.from(parts[4], 'base64url'), expected: Buffer.from(parts[5], 'base64url') };
}

/** `scrypt$N$r$p$<salt b64url>$<hash b64url>`; N defaults to OWASP's figure. */
export async function hashPassword(password: string, N: number = SCRYPT_DEFAULT_N): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keylen, { N, r: SCRYPT.r, p: SCRYPT.p, maxmem: maxmemFor(N, SCRYPT.r) });
  return ['scrypt', N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Checks a password against a stored hash with the parameters stored in it (older, cheaper hashes still verify). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parseHash(stored);
  if (!h || h.expected.length === 0) return false;
  const key = await scrypt(password, h.salt, h.expected.length, { N: h.N, r: h.r, p: h.p, maxmem: maxmemFor(h.N, h.r) });
  return key.length === h.expected.length && timingSafeEqual(key, h.expected);
}

/** True when a stored hash is weaker than what `hashPassword(…, N)` makes now (rehash after a successful login). */
export function needsRehash(stored: string, N: number = SCRYPT_DEFAULT_N): boolean {
  const h = parseHash(stored);
  return !h || h.N < N || h.r < SCRYPT.r || h.p < SCRYPT.p;
}
