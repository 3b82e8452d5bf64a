// The offline bundle: built from this checkout (the relay compiled first when dist/ is stale), unpacked elsewhere
// with its unpack.sh, then started by deploy.sh with npm forced offline, no registry and no proxy reachable: the
// relay answers /health and `crs status` from the bundle's own node_modules; a damaged part is refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs, freePort, healthOf, pathWith, ROOT, run, stubDocker, tempDir } from './support.js';

after(cleanupTempDirs);

/** Newest modification time of the files under `dir` (ms). */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * The relay part of `npm run build` (tsc and assets) when dist/ is missing or older than src/. The web UI build
 * is left to `npm run build` and the browser tests (two vite builds into dist/web at once would collide); the
 * bundle takes whatever dist/web holds.
 */
function ensureServerBuilt(): void {
  const main = join(ROOT, 'dist', 'main.js');
  if (existsSync(main) && statSync(main).mtimeMs >= newest(join(ROOT, 'src'))) return;
  process.stderr.write('bundle test: dist/ is missing or older than src/; building the relay (tsc)\n');
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'inherit',
    timeout: 300_000,
  });
  execFileSync(process.execPath, ['scripts/copy-assets.mjs'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

let out = '';
let made: Awaited<ReturnType<typeof run>>;
before(async () => {
  ensureServerBuilt();
  out = tempDir('crs-bundle-out-');
  made = await run(ROOT, 'bundle.sh', ['--skip-build', '--out', out, '--part-size', '4M']);
});

/** An environment in which any attempt to reach npm or the network fails. */
function offlineEnv(bin: string): Record<string, string> {
  const dead = 'http://127.0.0.1:9';
  return {
    PATH: pathWith(bin),
    npm_config_offline: 'true',
    npm_config_registry: `${dead}/`,
    npm_config_cache: join(out, 'empty-npm-cache'),
    HTTP_PROXY: dead,
    HTTPS_PROXY: dead,
    http_proxy: dead,
    https_proxy: dead,
    NO_PROXY: '127.0.0.1,localhost',
    START_TIMEOUT: '30',
  };
}

test('bundle.sh → unpack.sh → deploy.sh start offline: the relay runs from the bundle alone', async () => {
  assert.equal(made.code, 0, made.stdout + made.stderr);
  const parts = readdirSync(out).filter((f) => f.includes('.tar.gz.part-'));
  assert.ok(parts.length >= 2, `split into 4 MB parts: ${parts.join(', ')}`);
  assert.equal(readFileSync(join(out, 'checksums.txt'), 'utf8').trim().split('\n').length, parts.length);

  const target = tempDir('crs-bundle-target-');
  const unpacked = await run(out, 'unpack.sh', ['--into', target]);
  assert.equal(unpacked.code, 0, unpacked.stderr);
  const app = join(target, 'claude-relay-service');
  for (const f of ['dist/main.js', 'deploy.sh', 'init-env.sh', '.env.example', 'BUNDLE.txt', 'node_modules/better-sqlite3/build/Release/better_sqlite3.node']) {
    assert.ok(existsSync(join(app, f)), f);
  }
  for (const dev of ['typescript', 'tsx', 'vite', '@anthropic-ai']) assert.ok(!existsSync(join(app, 'node_modules', dev)), `no dev dependency ${dev}`);
  assert.match(
    readFileSync(join(app, 'BUNDLE.txt'), 'utf8'),
    new RegExp(`node: ${process.version.replace(/\./g, '\\.')} \\(modules ABI ${process.versions.modules}\\)`),
  );

  const docker = stubDocker(join(target, '.stub'));
  const env = offlineEnv(docker.bin);
  assert.equal((await run(app, 'init-env.sh', [], env)).code, 0);
  const port = await freePort();
  writeFileSync(
    join(app, '.env'),
    readFileSync(join(app, '.env'), 'utf8')
      .replace(/^PORT=.*$/m, `PORT=${port}`)
      .replace(/^BIND_HOST=.*$/m, 'BIND_HOST=127.0.0.1'),
  );
  let started = false;
  try {
    const start = await run(app, 'deploy.sh', ['start'], env);
    assert.equal(start.code, 0, start.stdout + start.stderr);
    started = true;
    assert.match(start.stdout, /mode: native/);
    const health = await healthOf(port);
    assert.equal(health?.status, 200);
    assert.equal(health?.body.store.kind, 'sqlite');

    // The bundled crs works there too, offline.
    const status = execFileSync(process.execPath, ['dist/cli/main.js', 'status', '--json'], { cwd: app, env: { ...process.env, ...env }, encoding: 'utf8' });
    const report = JSON.parse(status);
    assert.equal(report.store.reachable, true);
    assert.equal(report.relay.status, 200);
  } finally {
    if (started) {
      const stop = await run(app, 'deploy.sh', ['stop'], env);
      assert.equal(stop.code, 0, stop.stderr);
    }
  }
});

test('unpack.sh refuses a damaged part and unpacks nothing', async () => {
  assert.equal(made.code, 0, made.stderr);
  const copy = tempDir('crs-bundle-copy-');
  cpSync(out, copy, { recursive: true });
  const victim = readdirSync(copy)
    .filter((f) => f.includes('.tar.gz.part-'))
    .sort()[1];
  const bytes = readFileSync(join(copy, victim));
  bytes[1234] ^= 1;
  writeFileSync(join(copy, victim), bytes);
  const target = tempDir('crs-bundle-bad-');
  const r = await run(copy, 'unpack.sh', ['--into', target]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`checksum mismatch: ${victim.replace(/\./g, '\\.')} is damaged`));
  assert.deepEqual(readdirSync(target), []);
});
