// npx tsx bench/commits.ts <rev>: the relay at <rev> (a commit, tag or branch) against this checkout's, on the same
// upstream, measured at c=64 in BENCH_ROUNDS alternated rounds (default 6) of BENCH_DURATION seconds in BENCH_MODES
// (default json20,sse20,chat). <rev> is checked out in a temporary git worktree, with this checkout's node_modules,
// and compiled like this one (compile.ts); its bench/relay-server.ts must take `seed` and `serve` as this one does.
// Example:
//   npx tsx bench/commits.ts HEAD~3
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alternate, relay } from './ab.js';
import { compileRelay } from './compile.js';
import { start, stopAll } from './processes.js';

const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 6));
const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const MODES = (process.env.BENCH_MODES ?? 'json20,sse20,chat').split(',');
const root = fileURLToPath(new URL('..', import.meta.url));

async function main(rev: string, worktree: string): Promise<void> {
  symlinkSync(join(root, 'node_modules'), join(worktree, 'node_modules'));
  const js = await compileRelay('bench/relay-server.ts', worktree);
  const [upPort] = await start('./upstream.ts', [], 'stdout');
  const a = await relay(`A: ${rev}`, upPort, 1, 1, { js });
  const b = await relay('B: this checkout', upPort, 1, 1);
  console.log(`commits: ${ROUNDS} alternated rounds of ${DURATION_S}s at c=64 per mode, node ${process.version}`);
  await alternate(a, b, ROUNDS, DURATION_S, MODES);
}

const rev = process.argv[2];
if (!rev) {
  console.error('usage: npx tsx bench/commits.ts <rev>');
  process.exit(2);
}
const worktree = mkdtempSync(join(tmpdir(), 'crs-rev-'));
execFileSync('git', ['worktree', 'add', '--detach', worktree, rev], { cwd: root, stdio: 'ignore' });
main(rev, worktree)
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => {
    stopAll();
    execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: root, stdio: 'ignore' });
  });
