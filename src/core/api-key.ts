// The relay API key record. The plaintext key is never stored: only its HMAC (`hash`) and a display prefix.

export const API_KEY_PREFIX = 'cr_';
/** `cr_` followed by 64 lowercase hex characters. */
export const API_KEY_PATTERN = /^cr_[0-9a-f]{64}$/;

export interface ApiKey {
  id: string;
  name: string;
  description: string;
  tags: string[];
  /** HMAC-SHA256 of the plaintext key (hex). */
  hash: string;
  /** First characters of the key, safe to display (`cr_1a2b3c4d`). */
  prefix: string;
  isActive: boolean;
  /** Epoch ms; null = never expires. */
  expiresAt: number | null;
  createdAt: number;
  updatedAt: number;
  lastUsedAt: number | null;
  /** Soft-deleted keys keep their statistics but cannot authenticate. */
  deletedAt: number | null;
}

/** The part of a key record the admin API may change. */
export type ApiKeyPatch = Partial<Pick<ApiKey, 'name' | 'description' | 'tags' | 'isActive' | 'expiresAt'>>;

export function keyDisplayPrefix(plaintext: string): string {
  return plaintext.slice(0, 11);
}
