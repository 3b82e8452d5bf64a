// Redis for tests: CRS_TEST_REDIS_URL (default redis://127.0.0.1:6379). When it does not answer, Redis tests
// skip with a visible reason — unless CRS_REQUIRE_REDIS=1 (set by .ci/run), which makes that a failure.
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';

export const TEST_REDIS_URL = process.env.CRS_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

let probe: Promise<string | null> | null = null;

/** Resolves to null when Redis is usable, else to the reason to skip. Throws when Redis is required. */
export function redisSkipReason(): Promise<string | null> {
  probe ??= (async () => {
    const r = new Redis(TEST_REDIS_URL, {
      lazyConnect: true,
      enableOfflineQueue: false,
      connectTimeout: 1500,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    try {
      await r.connect();
      await r.ping();
      return null;
    } catch (e) {
      const reason = `Redis at ${TEST_REDIS_URL} is not reachable (${(e as Error).message}); Redis tests skipped`;
      if (process.env.CRS_REQUIRE_REDIS === '1') throw new Error(`CRS_REQUIRE_REDIS=1 but ${reason}`);
      process.stderr.write(`\n*** ${reason} ***\n`);
      return reason;
    } finally {
      r.disconnect();
    }
  })();
  return probe;
}

/** A fresh key prefix, so concurrent test files never see each other's data. */
export function testPrefix(): string {
  return `crs-test:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under a prefix (SCAN, not KEYS). */
export async function dropPrefix(prefix: string): Promise<void> {
  const r = new Redis(TEST_REDIS_URL, { lazyConnect: true });
  await r.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}
