// The Redis connection as the repositories see it (ioredis plus the relay's Lua scripts, defined in
// redis-store.ts), and the small helpers the document repositories share.
import type { Redis } from 'ioredis';
import { RelayError } from '../../core/errors.js';
import type { ChangeEvent } from '../types.js';
import type { KvCmd } from './kv.js';
import type { LimitCmd } from './limits.js';
import type { SlotCmd } from './account-slots.js';

export type Cmd = Redis & {
  /** RECORD_USAGE_BATCH: the number of keys, the keys, then the arguments. */
  crsRecordUsageBatch(...args: (string | number)[]): Promise<number>;
  crsCasDoc(key: string, oldDoc: string, newDoc: string): Promise<number>;
  crsDeleteIfEquals(key: string, value: string): Promise<number>;
  crsReplaceIfEquals(key: string, oldValue: string, newValue: string, ttlMs: number): Promise<number>;
} & LimitCmd &
  SlotCmd &
  KvCmd;

export type Emit = (e: ChangeEvent) => void;

export const parse = <T>(s: string | null): T | null => (s ? (JSON.parse(s) as T) : null);

/** Runs a MULTI or pipeline and throws its first failed command's error. */
export async function execOrThrow(m: { exec(): Promise<[Error | null, unknown][] | null> }): Promise<unknown[]> {
  const results = (await m.exec()) ?? [];
  const failed = results.find(([err]) => err);
  if (failed) throw failed[0];
  return results.map(([, v]) => v);
}

/** Read-modify-write with compare-and-set, retried when another writer got there first. */
export async function casUpdate<T>(r: Cmd, key: string, change: (cur: T) => T): Promise<T | null> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const raw = await r.get(key);
    if (!raw) return null;
    const next = change(JSON.parse(raw) as T);
    const res = await r.crsCasDoc(key, raw, JSON.stringify(next));
    if (res === 1) return next;
    if (res === -1) return null;
  }
  throw new RelayError('CONFLICT', 'The record is being changed concurrently; try again');
}
