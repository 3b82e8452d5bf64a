// How the reference project hashes relay keys (CRS-REFERENCE.md §4.1: SHA-256 hex of plaintext key + ENCRYPTION_KEY),
// for imported keys that keep working until their first use replaces the hash (legacy-keys.ts).
import { createHash } from 'node:crypto';

/** The prefix our store gives an imported key's reference hash, so it can never equal one of our HMACs. */
export const CRS_HASH_PREFIX = 'crs-sha256:';

/** The reference project's lookup hash of a relay key. */
export function crsKeyHash(plaintext: string, encryptionKey: string): string {
  return createHash('sha256')
    .update(plaintext + encryptionKey)
    .digest('hex');
}
