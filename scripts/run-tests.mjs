// Runs every test file with node:test through the tsx loader. Node 20's --test takes no globs, so the files
// are found here: src/**/*.test.ts (unit) and test/**/*.test.ts (integration, contract, browser).
// Arguments narrow the run: `npm test -- store relay` runs files whose path contains "store" or "relay".
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
// The whole suite starts with the lint (type-aware rules, layer boundaries, line length) and the format check;
// a filtered run (`npm test -- store`) skips them.
if (filters.length === 0) {
  const lint = spawnSync('npm', ['run', 'lint'], { stdio: 'inherit' });
  if (lint.status !== 0) {
    console.error('lint failed: `npm run format` fixes formatting; the rest is reported above');
    process.exit(lint.status ?? 1);
  }
}
const files = ['src', 'test']
  .flatMap((d) => find(d))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// A test that hangs fails after four minutes (browser suites take over a minute on a loaded 2-core machine) instead of stalling the whole run.
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=240000', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
