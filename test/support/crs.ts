// The reference project's data for the migration tests: the fixtures of test/fixtures/crs (built by its build.ts),
// loaded into a fresh Redis key prefix as that project's Redis would hold them, and `crs` run as a real process.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from './redis.js';

export const CRS_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'crs');

export interface CrsHolders {
  encryptionKey: string;
  ids: Record<string, string>;
  /** The plaintext keys the key holders have. */
  keys: Record<string, string>;
  secrets: Record<string, string>;
}

export const crsHolders = (): CrsHolders => JSON.parse(readFileSync(join(CRS_FIXTURES, 'holders.json'), 'utf8'));

type DumpValue = { type: 'hash'; value: Record<string, string> } | { type: 'set'; value: string[] } | { type: 'string'; value: string };

/** Writes every key of redis-dump.json under `prefix` (the test's stand-in for the reference project's Redis). */
export async function loadCrsDump(prefix: string): Promise<number> {
  const dump = JSON.parse(readFileSync(join(CRS_FIXTURES, 'redis-dump.json'), 'utf8')) as { keys: Record<string, DumpValue> };
  const r = new Redis(TEST_REDIS_URL, { lazyConnect: true });
  await r.connect();
  try {
    const pipe = r.pipeline();
    for (const [name, v] of Object.entries(dump.keys)) {
      if (v.type === 'hash') pipe.hset(prefix + name, v.value);
      else if (v.type === 'set') pipe.sadd(prefix + name, ...v.value);
      else pipe.set(prefix + name, v.value);
    }
    await pipe.exec();
    return Object.keys(dump.keys).length;
  } finally {
    r.disconnect();
  }
}

const CLI = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

/** Runs `crs …` on the store of a test relay (same DATA_DIR); resolves with the exit code and output. */
export function crsCli(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), CLI, ...args],
      { cwd: dataDir, env: { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'test', REDIS_URL: '', REDIS_HOST: '', ...env } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}
