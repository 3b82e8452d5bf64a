// The root scripts: shellcheck, `set -euo pipefail`, --help, unknown arguments; init-env.sh for real (secrets,
// mode 600, never clobbering without --force); .env.example naming every variable the relay reads.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { loadConfig } from '../../src/config/index.js';
import { envSchema } from '../../src/config/schema.js';
import { cleanupTempDirs, copyFromRoot, ROOT, run, SCRIPTS, tempDir } from './support.js';

after(cleanupTempDirs);

function shellcheckPath(): string | null {
  const r = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? 'shellcheck' : null;
}

test('every script passes shellcheck', (t) => {
  if (!shellcheckPath()) {
    if (process.env.CI) assert.fail('shellcheck is not installed (.ci/run installs it)');
    const msg = 'shellcheck is not installed (apt-get install shellcheck); shellcheck test skipped';
    process.stderr.write(`\n*** ${msg} ***\n`);
    t.skip(msg);
    return;
  }
  const r = spawnSync('shellcheck', ['--severity=style', ...SCRIPTS.map((s) => join(ROOT, s))], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('every script: strict mode, --help, and a clear refusal of unknown arguments', async () => {
  for (const s of SCRIPTS) {
    const text = readFileSync(join(ROOT, s), 'utf8');
    assert.match(text, /^#!\/usr\/bin\/env bash\n/, `${s}: bash shebang`);
    assert.match(text, /^set -euo pipefail$/m, `${s}: set -euo pipefail`);
    assert.ok(statSync(join(ROOT, s)).mode & 0o100, `${s} is executable`);
    const help = await run(ROOT, s, ['--help']);
    assert.equal(help.code, 0, `${s} --help: ${help.stderr}`);
    assert.match(help.stdout, /^Usage: /, `${s} --help prints usage`);
    const bad = await run(ROOT, s, ['--no-such-option']);
    assert.equal(bad.code, 2, `${s} rejects an unknown option`);
    assert.match(bad.stderr, /unknown argument: --no-such-option/);
  }
});

test('.env.example names every variable of the configuration schema', () => {
  const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
  const named = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
  const missing = Object.keys(envSchema.shape).filter((k) => !named.has(k));
  assert.deepEqual(missing, [], `add these to .env.example: ${missing.join(', ')}`);
  // Read by the image build (build.sh, the Compose build of deploy.sh), not by the relay.
  const buildOnly = new Set(['NPM_REGISTRY', 'DEBIAN_MIRROR', 'NODE_IMAGE']);
  for (const k of named) assert.ok(k in envSchema.shape || buildOnly.has(k), `.env.example names ${k}, which neither the relay nor the build reads`);
  const compose = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
  for (const k of buildOnly) assert.match(compose, new RegExp(`${k}: \\$\\{${k}:-`), `docker-compose.yml passes ${k} to the build`);
});

test('init-env.sh: strong secrets, mode 600, a valid production config; never clobbers without --force', async () => {
  const dir = tempDir();
  copyFromRoot(dir, ['init-env.sh', '.env.example']);

  const first = await run(dir, 'init-env.sh');
  assert.equal(first.code, 0, first.stderr);
  const envFile = join(dir, '.env');
  assert.equal(statSync(envFile).mode & 0o777, 0o600);
  const env = parseDotenv(readFileSync(envFile));
  assert.equal(Buffer.from(env.JWT_SECRET, 'base64').length, 48);
  assert.equal(env.JWT_SECRET.length, 64);
  assert.match(env.ENCRYPTION_KEY, /^[0-9a-f]{32}$/);
  assert.match(env.REDIS_PASSWORD, /^[A-Za-z0-9]{24,}$/);
  // Everything else is the example's.
  const strip = (s: string) => s.replace(/^(JWT_SECRET|ENCRYPTION_KEY|REDIS_PASSWORD)=.*$/gm, '$1=');
  assert.equal(strip(readFileSync(envFile, 'utf8')), readFileSync(join(dir, '.env.example'), 'utf8'));
  const config = loadConfig({ env: {}, cwd: dir });
  assert.equal(config.env, 'production');
  assert.equal(config.encryptionKey, env.ENCRYPTION_KEY);

  // A second run refuses and leaves .env alone.
  const before = readFileSync(envFile, 'utf8');
  const again = await run(dir, 'init-env.sh');
  assert.equal(again.code, 1);
  assert.match(again.stderr, /\.env already exists.*--force/);
  assert.equal(readFileSync(envFile, 'utf8'), before);

  // --force writes new secrets and keeps the old file.
  const forced = await run(dir, 'init-env.sh', ['--force']);
  assert.equal(forced.code, 0, forced.stderr);
  const next = parseDotenv(readFileSync(envFile));
  assert.notEqual(next.ENCRYPTION_KEY, env.ENCRYPTION_KEY);
  assert.notEqual(next.JWT_SECRET, env.JWT_SECRET);
  const backups = readdirSync(dir).filter((f) => f.startsWith('.env.bak-'));
  assert.equal(backups.length, 1);
  assert.equal(readFileSync(join(dir, backups[0]), 'utf8'), before);
  assert.equal(statSync(join(dir, backups[0])).mode & 0o777, 0o600);
});

test('init-env.sh: a clear error without .env.example', async () => {
  const dir = tempDir();
  copyFromRoot(dir, ['init-env.sh']);
  const r = await run(dir, 'init-env.sh');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\.env\.example not found/);
});

test('the compose file: the two containers, ./data mounts, Redis with password and AOF; `compose config` validates', async (t) => {
  const compose = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
  assert.match(compose, /^ {2}claude-relay-service:\n(?: {4}.*\n)*? {4}container_name: claude-relay-service$/m);
  assert.match(compose, /^ {2}claude-relay-redis:\n(?: {4}.*\n)*? {4}container_name: claude-relay-redis$/m);
  assert.match(compose, /- "\$\{BIND_HOST:-0\.0\.0\.0\}:\$\{PORT:-3000\}:3000"/);
  for (const v of ['./data/logs:/app/data/logs', './data/app:/app/data/app', './data/redis:/data']) assert.ok(compose.includes(`- ${v}`), v);
  assert.match(compose, /"--requirepass", "\$\{REDIS_PASSWORD:\?[^"]*\}", "--appendonly", "yes"/);
  assert.match(compose, /REDIS_HOST: claude-relay-redis/);
  assert.match(compose, /env_file: \.env/);
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /^FROM \S+ AS build$/m);
  assert.match(dockerfile, /^FROM \S+ AS runtime$/m);
  assert.match(dockerfile, /^USER node$/m);
  assert.match(dockerfile, /^HEALTHCHECK .*\n?.*\/health/m);
  assert.match(dockerfile, /NODE_ENV=production/);
  assert.match(dockerfile, /DATA_DIR=\/app\/data/);

  // Validate with a real Compose where one is installed (no engine needed for `config`).
  const candidates: string[][] = [['docker', 'compose'], ['docker-compose']];
  const found = candidates.find(([cmd, ...rest]) => spawnSync(cmd, [...rest, 'version'], { encoding: 'utf8' }).status === 0);
  if (!found) {
    const msg = 'neither `docker compose` nor `docker-compose` is installed; compose validation skipped';
    process.stderr.write(`\n*** ${msg} ***\n`);
    t.skip(msg);
    return;
  }
  const dir = tempDir();
  copyFromRoot(dir, ['docker-compose.yml']);
  writeFileSync(join(dir, '.env'), 'REDIS_PASSWORD=abcdefghijklmnopqrstuvwx\nPORT=3100\nBIND_HOST=127.0.0.1\n');
  const out = execFileSync(found[0], [...found.slice(1), 'config'], { cwd: dir, encoding: 'utf8' });
  assert.match(out, /127\.0\.0\.1:3100:3000/);
  assert.match(out, /abcdefghijklmnopqrstuvwx/);
  writeFileSync(join(dir, '.env'), 'PORT=3100\n');
  const noPassword = spawnSync(found[0], [...found.slice(1), 'config'], { cwd: dir, encoding: 'utf8' });
  assert.notEqual(noPassword.status, 0, 'a missing REDIS_PASSWORD is refused');
  assert.match(noPassword.stderr, /REDIS_PASSWORD must be set/);
});
