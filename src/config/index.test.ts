import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './index.js';
import { resolveSecrets } from './secrets-file.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'crs-config-'));

test('defaults: 0.0.0.0:3000, ./data under cwd, SQLite store', () => {
  const cwd = tmp();
  const c = loadConfig({ env: {}, cwd });
  assert.equal(c.host, '0.0.0.0');
  assert.equal(c.port, 3000);
  assert.equal(c.dataDir, join(cwd, 'data'));
  assert.equal(c.redis, null);
  assert.equal(c.timezoneOffsetHours, 8);
  assert.equal(c.requestMaxBytes, 32 * 1024 * 1024);
  assert.equal(c.upstreamTimeoutMs, 600_000);
  assert.equal(c.admin, null);
  assert.ok(Object.isFrozen(c));
});

test('every problem is reported at once, with the variable names', () => {
  try {
    loadConfig({
      env: { PORT: 'abc', ENCRYPTION_KEY: 'short', JWT_SECRET: 'x', LOG_LEVEL: 'loud', TIMEZONE_OFFSET: '30', ADMIN_USERNAME: 'r' },
      cwd: tmp(),
    });
    assert.fail('expected a ConfigError');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    const text = e.message;
    for (const name of ['PORT', 'ENCRYPTION_KEY', 'JWT_SECRET', 'LOG_LEVEL', 'TIMEZONE_OFFSET', 'ADMIN_USERNAME']) {
      assert.match(text, new RegExp(name), `message mentions ${name}`);
    }
    assert.ok(e.problems.length >= 6);
    assert.match(text, /ENCRYPTION_KEY: .*exactly 32 characters/);
  }
});

test('production requires JWT_SECRET and ENCRYPTION_KEY', () => {
  assert.throws(
    () => loadConfig({ env: { NODE_ENV: 'production' }, cwd: tmp() }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /JWT_SECRET: is required/);
      assert.match(e.message, /ENCRYPTION_KEY: is required/);
      return true;
    },
  );
  const ok = loadConfig({
    env: { NODE_ENV: 'production', JWT_SECRET: 'j'.repeat(48), ENCRYPTION_KEY: 'e'.repeat(32) },
    cwd: tmp(),
  });
  assert.equal(ok.encryptionKey, 'e'.repeat(32));
});

test('.env file values apply under the real environment; empty values count as unset', () => {
  const cwd = tmp();
  writeFileSync(join(cwd, '.env'), 'PORT=4000\nBIND_HOST=127.0.0.1\nLOG_LEVEL=debug\nREDIS_HOST=\n');
  const c = loadConfig({ env: { PORT: '5000', TIMEZONE_OFFSET: '' }, cwd });
  assert.equal(c.port, 5000);
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.logLevel, 'debug');
  assert.equal(c.redis, null);
  assert.equal(c.timezoneOffsetHours, 8);
});

test('Redis from REDIS_URL or REDIS_HOST', () => {
  const a = loadConfig({ env: { REDIS_URL: 'redis://:pw@10.0.0.1:6380/2' }, cwd: tmp() });
  assert.equal(a.redis?.url, 'redis://:pw@10.0.0.1:6380/2');
  const b = loadConfig({ env: { REDIS_HOST: 'claude-relay-redis', REDIS_PASSWORD: 'p', REDIS_DB: '3' }, cwd: tmp() });
  assert.deepEqual(
    { host: b.redis?.host, port: b.redis?.port, db: b.redis?.db, password: b.redis?.password },
    { host: 'claude-relay-redis', port: 6379, db: 3, password: 'p' },
  );
  assert.throws(() => loadConfig({ env: { REDIS_URL: 'http://x' }, cwd: tmp() }), /REDIS_URL/);
});

test('missing secrets are generated once into DATA_DIR/app/secrets.json with mode 0600', () => {
  const cwd = tmp();
  const first = resolveSecrets(loadConfig({ env: {}, cwd }));
  assert.equal(first.config.encryptionKey.length, 32);
  assert.ok(first.config.jwtSecret.length >= 32);
  assert.equal(first.warnings.length, 2);
  const file = join(cwd, 'data', 'app', 'secrets.json');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const again = resolveSecrets(loadConfig({ env: {}, cwd }));
  assert.equal(again.config.encryptionKey, first.config.encryptionKey);
  assert.equal(again.config.jwtSecret, first.config.jwtSecret);
});

test('secrets from the environment are used as given and never written to disk', () => {
  const cwd = tmp();
  const env = { JWT_SECRET: 'J'.repeat(40), ENCRYPTION_KEY: 'K'.repeat(32) };
  const r = resolveSecrets(loadConfig({ env, cwd }));
  assert.equal(r.config.jwtSecret, env.JWT_SECRET);
  assert.deepEqual(r.warnings, []);
  const half = resolveSecrets(loadConfig({ env: { JWT_SECRET: 'J'.repeat(40) }, cwd }));
  const stored = readFileSync(join(cwd, 'data', 'app', 'secrets.json'), 'utf8');
  assert.ok(!stored.includes('J'.repeat(40)));
  assert.equal(half.config.encryptionKey.length, 32);
});

test('Claude OAuth endpoints: the real ones by default, each overridable (tests point them at the fake)', () => {
  const d = loadConfig({ env: {}, cwd: tmp() }).claudeOAuth;
  assert.equal(d.authorizeUrl, 'https://claude.ai/oauth/authorize');
  assert.equal(d.tokenUrl, 'https://platform.claude.com/v1/oauth/token');
  assert.equal(d.clientId, '9d1c250a-e61b-44d9-88ed-5944d1962f5e');
  assert.equal(d.redirectUri, 'https://platform.claude.com/oauth/code/callback');
  assert.match(d.scopes, /^org:create_api_key user:profile user:inference/);
  assert.equal(d.usageUrl, 'https://api.anthropic.com/api/oauth/usage');
  assert.equal(d.profileUrl, 'https://api.anthropic.com/api/oauth/profile');
  const c = loadConfig({
    env: { CLAUDE_OAUTH_TOKEN_URL: 'http://127.0.0.1:9/v1/oauth/token', CLAUDE_OAUTH_SCOPES: ' user:inference   user:profile ' },
    cwd: tmp(),
  }).claudeOAuth;
  assert.equal(c.tokenUrl, 'http://127.0.0.1:9/v1/oauth/token');
  assert.equal(c.scopes, 'user:inference user:profile');
  assert.throws(() => loadConfig({ env: { CLAUDE_OAUTH_USAGE_URL: 'not a url' }, cwd: tmp() }), /CLAUDE_OAUTH_USAGE_URL/);
});

test('ADMIN_USERNAME and ADMIN_PASSWORD may each be blank (the first start generates the rest)', () => {
  const cwd = tmp();
  writeFileSync(join(cwd, '.env'), 'ADMIN_USERNAME=ops\nADMIN_PASSWORD=\n');
  assert.deepEqual(loadConfig({ env: {}, cwd }).admin, { username: 'ops', password: null });
  assert.deepEqual(loadConfig({ env: { ADMIN_PASSWORD: 'a-long-password' }, cwd: tmp() }).admin, { username: null, password: 'a-long-password' });
  assert.equal(loadConfig({ env: { ADMIN_USERNAME: '', ADMIN_PASSWORD: '' }, cwd: tmp() }).admin, null);
});

test('NODE_EXTRA_CA_CERTS: the file must be readable; a value only in .env is reported as not in effect', () => {
  const cwd = tmp();
  const ca = join(cwd, 'ca.pem');
  writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
  assert.deepEqual(loadConfig({ env: { NODE_EXTRA_CA_CERTS: ca }, cwd }).extraCaCerts, { file: ca, inEffect: true });
  writeFileSync(join(cwd, '.env'), 'NODE_EXTRA_CA_CERTS=ca.pem\n');
  assert.deepEqual(loadConfig({ env: {}, cwd }).extraCaCerts, { file: ca, inEffect: false });
  assert.equal(loadConfig({ env: {}, cwd: tmp() }).extraCaCerts, null);
  assert.throws(
    () => loadConfig({ env: { NODE_EXTRA_CA_CERTS: join(cwd, 'missing.pem') }, cwd }),
    /NODE_EXTRA_CA_CERTS: .*missing\.pem is not a readable file/,
  );
});
