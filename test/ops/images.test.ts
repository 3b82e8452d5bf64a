// build.sh, export-images.sh and load-images.sh run for real with a stub `docker` that records its arguments:
// save → gzip → split → checksums on one side, verify → join → load on the other, byte for byte; a damaged or
// missing part is refused by name and nothing is loaded; no Docker engine is a clear error.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { cleanupTempDirs, copyFromRoot, pathWith, run, stubDocker, tempDir } from './support.js';

after(cleanupTempDirs);

const RELAY = 'claude-relay-service:latest';
const REDIS = 'redis:7-alpine';
const fileName = (image: string) => image.replace(/[/:@]/g, '_');
/** Archive names in images/: the repository name without registry and tag (what the guide's manual lines use). */
const ARCHIVE: Record<string, string> = { [RELAY]: 'claude-relay-service', [REDIS]: 'redis' };

function setup() {
  const dir = tempDir('crs-images-');
  copyFromRoot(dir, ['build.sh', 'export-images.sh', 'load-images.sh', 'Dockerfile']);
  const docker = stubDocker(join(dir, '.stub'));
  return { dir, docker, env: { PATH: pathWith(docker.bin), STUB_DOCKER_ENGINE: '1' } };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('build.sh: docker build with the image name, --no-cache and a plan-B npm registry', async () => {
  const { dir, docker, env } = setup();
  const plain = await run(dir, 'build.sh', [], env);
  assert.equal(plain.code, 0, plain.stderr);
  assert.deepEqual(docker.calls().at(-1), ['build', '-t', RELAY, '.']);
  const custom = await run(dir, 'build.sh', ['--tag', 'crs:test', '--no-cache', '--registry', 'http://npm-mirror.intranet:4873/'], env);
  assert.equal(custom.code, 0, custom.stderr);
  assert.deepEqual(docker.calls().at(-1), ['build', '-t', 'crs:test', '--no-cache', '--build-arg', 'NPM_REGISTRY=http://npm-mirror.intranet:4873/', '.']);

  const noEngine = await run(dir, 'build.sh', [], { ...env, STUB_DOCKER_ENGINE: '0' });
  assert.equal(noEngine.code, 1);
  assert.match(noEngine.stderr, /no Docker engine answers/);
});

test('export-images.sh → load-images.sh: parts under the size, checksums, byte-for-byte load; damage refused', async () => {
  const { dir, docker, env } = setup();
  const exp = await run(dir, 'export-images.sh', ['--part-size', '16k'], { ...env, STUB_SAVE_BYTES: '100000' });
  assert.equal(exp.code, 0, exp.stderr);
  const images = join(dir, 'images');
  const calls = docker.calls();
  assert.ok(calls.some((c) => c[0] === 'save' && c[1] === RELAY));
  assert.ok(calls.some((c) => c[0] === 'save' && c[1] === REDIS));

  const parts = readdirSync(images)
    .filter((f) => f.includes('.part-'))
    .sort();
  assert.ok(parts.length >= 14, `100 kB of incompressible data per image in 16 kB parts: ${parts.length}`);
  for (const p of parts) assert.ok(statSync(join(images, p)).size <= 16 * 1024, `${p} is at most one part size`);
  const sums = readFileSync(join(images, 'checksums.txt'), 'utf8').trim().split('\n');
  assert.equal(sums.length, parts.length);
  for (const line of sums) {
    const [sum, name] = line.split(/ +/);
    assert.equal(sha256(readFileSync(join(images, name))), sum, name);
  }
  assert.deepEqual(readFileSync(join(images, 'images.txt'), 'utf8').trim().split('\n'), [
    `${ARCHIVE[RELAY]}.tar.gz ${RELAY}`,
    `${ARCHIVE[REDIS]}.tar.gz ${REDIS}`,
  ]);
  assert.match(exp.stdout, /next: git add images\/ && git commit/);
  // The parts of each image are its gzip, which holds exactly what docker save wrote.
  for (const image of [RELAY, REDIS]) {
    const mine = parts.filter((p) => p.startsWith(`${ARCHIVE[image]}.tar.gz.part-`));
    const gz = Buffer.concat(mine.map((p) => readFileSync(join(images, p))));
    assert.deepEqual(gunzipSync(gz), readFileSync(join(dir, '.stub', 'saved', fileName(image))));
  }

  // The other side: a fresh directory with the carried images/ folder.
  const target = tempDir('crs-intranet-');
  copyFromRoot(target, ['load-images.sh']);
  cpSync(images, join(target, 'images'), { recursive: true });
  const targetDocker = stubDocker(join(target, '.stub'));
  const tenv = { PATH: pathWith(targetDocker.bin), STUB_DOCKER_ENGINE: '1' };

  // A damaged part: refused by name, nothing loaded.
  const victim = parts[3];
  const good = readFileSync(join(target, 'images', victim));
  const bad = Buffer.from(good);
  bad[100] ^= 0xff;
  writeFileSync(join(target, 'images', victim), bad);
  const refused = await run(target, 'load-images.sh', [], tenv);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`checksum mismatch: images/${victim.replace(/\./g, '\\.')} is damaged`));
  assert.ok(!targetDocker.calls().some((c) => c[0] === 'load'), 'nothing was loaded');

  // A missing part: refused by name.
  rmSync(join(target, 'images', victim));
  const missing = await run(target, 'load-images.sh', [], tenv);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, new RegExp(`missing part: images/${victim.replace(/\./g, '\\.')}`));

  // Intact: verified, joined in order, loaded once per image.
  writeFileSync(join(target, 'images', victim), good);
  const loaded = await run(target, 'load-images.sh', [], tenv);
  assert.equal(loaded.code, 0, loaded.stderr);
  assert.match(loaded.stdout, new RegExp(`all ${parts.length} parts match checksums.txt`));
  assert.equal(targetDocker.calls().filter((c) => c[0] === 'load').length, 2);
  const got = readdirSync(join(target, '.stub', 'loaded')).map((f) => gunzipSync(readFileSync(join(target, '.stub', 'loaded', f))));
  const want = [RELAY, REDIS].map((i) => readFileSync(join(dir, '.stub', 'saved', fileName(i))));
  assert.deepEqual(got.map(sha256).sort(), want.map(sha256).sort());
});

test('export-images.sh: the default part size stays under 50 MB', async () => {
  const { dir, env } = setup();
  // 52 MB of incompressible data per image: two parts each, the first at the default size.
  const exp = await run(dir, 'export-images.sh', [], { ...env, STUB_SAVE_BYTES: '52000000' });
  assert.equal(exp.code, 0, exp.stderr);
  const images = join(dir, 'images');
  const sizes = readdirSync(images)
    .filter((f) => f.includes('.part-'))
    .map((f) => statSync(join(images, f)).size);
  assert.equal(sizes.length, 4);
  assert.ok(Math.max(...sizes) < 50_000_000, `largest part ${Math.max(...sizes)} bytes`);
});

test('export-images.sh: a missing image or no engine is a clear error', async () => {
  const { dir, env } = setup();
  const missing = await run(dir, 'export-images.sh', [], { ...env, STUB_MISSING_IMAGE: RELAY });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /image claude-relay-service:latest not found locally \(relay: run \.\/build\.sh/);
  const noEngine = await run(dir, 'export-images.sh', [], { ...env, STUB_DOCKER_ENGINE: '0' });
  assert.equal(noEngine.code, 1);
  assert.match(noEngine.stderr, /no Docker engine answers/);
  const load = await run(dir, 'load-images.sh', [], env);
  assert.equal(load.code, 1);
  assert.match(load.stderr, /directory images not found/);
});
