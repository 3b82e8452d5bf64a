// The reference project's secrets, as CRS-REFERENCE.md §2.1 and §4.1 describe them (written from that description):
// account fields are AES-256-CBC with key = scrypt(ENCRYPTION_KEY, <salt of the account type>, 32), a random
// 16-byte IV, stored as `ivhex:cipherhex`, with an older IV-less form (OpenSSL's EVP_BytesToKey with MD5, one round,
// no salt); relay keys are stored as SHA-256 hex of (plaintext key + ENCRYPTION_KEY).
import { createDecipheriv, createHash, scryptSync } from 'node:crypto';

/** scrypt salt per account record type (§2.1). */
export const CRS_SALTS = {
  claude: 'salt',
  claudeConsole: 'claude-console-salt',
  gemini: 'gemini-account-salt',
  geminiApi: 'gemini-api-salt',
  openai: 'openai-account-salt',
  openaiResponses: 'openai-responses-salt',
} as const;

export { CRS_HASH_PREFIX, crsKeyHash } from '../../keys/legacy-hash.js';

const ENCRYPTED = /^([0-9a-f]{32}):([0-9a-f]+)$/i;
const LEGACY = /^(?:[0-9a-f]{32})+$/i;

/** OpenSSL's EVP_BytesToKey (MD5, one iteration, no salt): the key and IV of the IV-less legacy form. */
function bytesToKey(password: string, keyLen: number, ivLen: number): { key: Buffer; iv: Buffer } {
  const pass = Buffer.from(password, 'utf8');
  const out: Buffer[] = [];
  let prev = Buffer.alloc(0);
  let len = 0;
  while (len < keyLen + ivLen) {
    prev = createHash('md5')
      .update(Buffer.concat([prev, pass]))
      .digest();
    out.push(prev);
    len += prev.length;
  }
  const all = Buffer.concat(out);
  return { key: all.subarray(0, keyLen), iv: all.subarray(keyLen, keyLen + ivLen) };
}

function aes256cbc(key: Buffer, iv: Buffer, hex: string): string {
  const d = createDecipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([d.update(Buffer.from(hex, 'hex')), d.final()]).toString('utf8');
}

export class CrsDecryptError extends Error {}

/** Opens the reference project's sealed fields with its ENCRYPTION_KEY (derived keys cached per salt). */
export class CrsCipher {
  private readonly keys = new Map<string, Buffer>();
  constructor(private readonly encryptionKey: string | null) {}

  /** True when the value has the sealed form (so a plaintext export passes through `open` unchanged). */
  static looksSealed(v: string): boolean {
    return ENCRYPTED.test(v) || (v.length >= 32 && LEGACY.test(v));
  }

  /** The plaintext of a field: sealed values are opened, anything else (an export made with --decrypt) is kept. */
  open(value: string, salt: string): string {
    const m = ENCRYPTED.exec(value);
    if (!m && !(value.length >= 32 && LEGACY.test(value))) return value;
    if (this.encryptionKey === null) throw new CrsDecryptError('the data holds encrypted fields: give the reference project’s ENCRYPTION_KEY');
    try {
      if (m) return aes256cbc(this.key(salt), Buffer.from(m[1], 'hex'), m[2]);
      const legacy = bytesToKey(this.encryptionKey, 32, 16);
      return aes256cbc(legacy.key, legacy.iv, value);
    } catch (e) {
      // A legacy-looking value may be plain hex (an ID someone stored): only the sealed form is an error.
      if (!m) return value;
      throw new CrsDecryptError(`cannot decrypt a field with the given ENCRYPTION_KEY (${(e as Error).message}); is it the reference project’s key?`);
    }
  }

  private key(salt: string): Buffer {
    let k = this.keys.get(salt);
    if (!k) {
      k = scryptSync(this.encryptionKey!, salt, 32);
      this.keys.set(salt, k);
    }
    return k;
  }
}
