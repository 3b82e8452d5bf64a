// deploy.sh: Compose mode checked through a stub `docker` (its calls recorded; a stand-in answers /health where the
// container would), native mode for real (start/status/logs/restart/stop/clean of a real relay process, picked
// automatically because no Docker engine answers).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs, copyFromRoot, freePort, healthOf, pathWith, ROOT, run, stubDocker, tempDir } from './support.js';

after(cleanupTempDirs);

/** The process has ended (a zombie not yet reaped by init counts as ended). */
function gone(pid: string): boolean {
  try {
    process.kill(Number(pid), 0);
  } catch {
    return true;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? false;
  } catch {
    return true;
  }
}

/** A deployment folder: the scripts, .env from init-env.sh on a free port bound to 127.0.0.1. */
async function deployDir(extra: string[] = []) {
  const dir = tempDir('crs-deploy-');
  copyFromRoot(dir, ['deploy.sh', 'init-env.sh', '.env.example', ...extra]);
  const init = await run(dir, 'init-env.sh');
  assert.equal(init.code, 0, init.stderr);
  const port = await freePort();
  const env = readFileSync(join(dir, '.env'), 'utf8')
    .replace(/^PORT=.*$/m, `PORT=${port}`)
    .replace(/^BIND_HOST=.*$/m, 'BIND_HOST=127.0.0.1');
  writeFileSync(join(dir, '.env'), env);
  const docker = stubDocker(join(dir, '.stub'));
  return { dir, port, docker };
}

test('deploy.sh (compose): up/ps/logs/down through Docker Compose, data folders, clean asks first', async () => {
  const { dir, port, docker } = await deployDir(['docker-compose.yml']);
  const env = { PATH: pathWith(docker.bin), STUB_DOCKER_ENGINE: '1', STUB_COMPOSE: '1', START_TIMEOUT: '5' };
  // Stands in for the relay container on the published port.
  const fakeContainer = createServer((req, res) => {
    res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', store: { kind: 'redis', ok: true } }));
  });
  await new Promise<void>((r) => fakeContainer.listen(port, '127.0.0.1', r));
  try {
    const compose = () =>
      docker
        .calls()
        .filter((c) => c[0] === 'compose' && c[1] !== 'version')
        .map((c) => c.slice(1).join(' '));

    const start = await run(dir, 'deploy.sh', ['start'], env);
    assert.equal(start.code, 0, start.stdout + start.stderr);
    assert.match(start.stdout, /mode: docker compose/);
    assert.match(start.stdout, /health: http:\/\/127\.0\.0\.1:\d+\/health -> HTTP 200/);
    assert.deepEqual(compose(), ['up -d']);
    for (const d of ['app', 'logs', 'redis', 'backups']) assert.ok(statSync(join(dir, 'data', d)).isDirectory(), `data/${d}`);
    if (process.getuid?.() === 0) assert.equal(statSync(join(dir, 'data', 'app')).uid, 1000, 'writable for the container user');

    const status = await run(dir, 'deploy.sh', ['status'], env);
    assert.equal(status.code, 0, status.stderr);
    assert.deepEqual(compose().at(-1), 'ps');
    assert.equal((await run(dir, 'deploy.sh', ['logs', '--no-follow'], env)).code, 0);
    assert.equal(compose().at(-1), 'logs --tail=200 claude-relay-service');
    assert.equal((await run(dir, 'deploy.sh', ['restart'], env)).code, 0);
    assert.deepEqual(compose().slice(-2), ['down', 'up -d']);
    assert.equal((await run(dir, 'deploy.sh', ['stop'], env)).code, 0);
    assert.equal(compose().at(-1), 'down');

    // clean: no terminal to ask on and no -y → refused, nothing deleted
    const refused = await run(dir, 'deploy.sh', ['clean'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /nothing was deleted \(pass -y to confirm\)/);
    assert.ok(existsSync(join(dir, 'data', 'app')));
    assert.notEqual(compose().at(-1), 'down -v --remove-orphans');
    const cleaned = await run(dir, 'deploy.sh', ['clean', '-y'], env);
    assert.equal(cleaned.code, 0, cleaned.stderr);
    assert.equal(compose().at(-1), 'down -v --remove-orphans');
    assert.ok(!existsSync(join(dir, 'data')));

    // Without .env: a clear instruction.
    const bare = tempDir('crs-deploy-bare-');
    copyFromRoot(bare, ['deploy.sh', 'docker-compose.yml']);
    const noEnv = await run(bare, 'deploy.sh', ['start'], env);
    assert.equal(noEnv.code, 1);
    assert.match(noEnv.stderr, /no \.env .*run \.\/init-env\.sh first/);
  } finally {
    await new Promise((r) => fakeContainer.close(r));
  }
});

/**
 * The relay as deploy.sh runs it natively (`node dist/main.js` in the deployment folder), here without a build:
 * dist/main.js loads the sources through tsx, node_modules is the checkout's.
 */
function nativeApp(dir: string): void {
  mkdirSync(join(dir, 'dist'));
  writeFileSync(
    join(dir, 'dist', 'main.js'),
    `import { register } from 'tsx/esm/api';\nregister();\nawait import(${JSON.stringify(join(ROOT, 'src', 'main.ts'))});\n`,
  );
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
}

test('deploy.sh (native, no Docker engine): start, status, logs, restart, stop, clean — for real', async () => {
  const { dir, port, docker } = await deployDir();
  nativeApp(dir);
  const env = { PATH: pathWith(docker.bin), STUB_DOCKER_ENGINE: '0', START_TIMEOUT: '30' };
  let pid = '';
  const seen = new Set<string>();
  try {
    const start = await run(dir, 'deploy.sh', ['start'], env);
    assert.equal(start.code, 0, start.stdout + start.stderr);
    assert.match(start.stdout, /mode: native .*store: sqlite at \.\/data\/app\/relay\.db/);
    pid = /started \(pid (\d+)\)/.exec(start.stdout)![1];
    seen.add(pid);
    assert.equal(readFileSync(join(dir, 'data', 'relay.pid'), 'utf8').trim(), pid);
    assert.equal((await healthOf(port))?.status, 200);
    assert.ok(existsSync(join(dir, 'data', 'app', 'init.json')), 'first start wrote the admin credentials');
    assert.ok(
      docker.calls().some((c) => c[0] === 'info'),
      'it asked Docker first',
    );

    const again = await run(dir, 'deploy.sh', ['start'], env);
    assert.equal(again.code, 0);
    assert.match(again.stdout, new RegExp(`already running natively \\(pid ${pid}\\)`));

    const status = await run(dir, 'deploy.sh', ['status'], env);
    assert.equal(status.code, 0, status.stdout + status.stderr);
    assert.match(status.stdout, new RegExp(`running \\(pid ${pid}\\)`));
    assert.match(status.stdout, /HTTP 200 \{"status":"ok"/);

    const logs = await run(dir, 'deploy.sh', ['logs', '--no-follow'], env);
    assert.equal(logs.code, 0, logs.stderr);
    assert.ok(
      logs.stdout.split('\n').some((l) => l.startsWith('{') && JSON.parse(l).msg === 'relay listening'),
      logs.stdout,
    );

    const restart = await run(dir, 'deploy.sh', ['restart'], env);
    assert.equal(restart.code, 0, restart.stdout + restart.stderr);
    const newPid = /started \(pid (\d+)\)/.exec(restart.stdout)![1];
    seen.add(newPid);
    assert.notEqual(newPid, pid);
    assert.ok(gone(pid), 'the old process is gone');
    pid = newPid;
    assert.equal((await healthOf(port))?.status, 200);

    const stop = await run(dir, 'deploy.sh', ['stop'], env);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /stopped/);
    assert.ok(!existsSync(join(dir, 'data', 'relay.pid')));
    assert.ok(gone(pid), 'the process is gone');
    await assert.rejects(healthOf(port));

    const down = await run(dir, 'deploy.sh', ['status'], env);
    assert.equal(down.code, 1);
    assert.match(down.stdout, /not running/);
    assert.equal((await run(dir, 'deploy.sh', ['stop'], env)).code, 0, 'stopping a stopped relay is fine');

    const cleaned = await run(dir, 'deploy.sh', ['clean', '-y'], env);
    assert.equal(cleaned.code, 0, cleaned.stderr);
    assert.ok(!existsSync(join(dir, 'data')));
  } finally {
    // Whatever happened above, no relay of this test outlives it.
    for (const p of seen) {
      try {
        process.kill(Number(p), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

test('deploy.sh (native): a relay that cannot start is reported with its own message', async () => {
  const { dir, docker } = await deployDir();
  nativeApp(dir);
  writeFileSync(join(dir, '.env'), readFileSync(join(dir, '.env'), 'utf8').replace(/^ENCRYPTION_KEY=.*$/m, 'ENCRYPTION_KEY=short'));
  const r = await run(dir, 'deploy.sh', ['start'], { PATH: pathWith(docker.bin), START_TIMEOUT: '30' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /the relay exited during start/);
  assert.match(r.stderr, /ENCRYPTION_KEY: must be exactly 32 characters/);
  assert.ok(!existsSync(join(dir, 'data', 'relay.pid')));
});
