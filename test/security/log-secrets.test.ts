// A full scenario run by a real relay process with LOG_LEVEL=debug, logging both to files (a temporary LOG_DIR) and
// to stdout (captured): admin login (and a failed one), accounts with an API key, an OAuth subscription and a proxy
// with a password, relay keys used in every header form and in bodies, failing upstreams, stats sessions, metrics,
// logout. Afterwards every secret that passed through the relay is searched for in every log line: none appears,
// whole or in a long fragment.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFakeUpstream } from '../support/fake-upstream/index.js';
import { sendMessage } from '../support/load.js';
import { cleanupTempDirs, freePort, tempDir } from '../ops/support.js';
import { spawnRelay } from '../support/relay-procs.js';

after(() => cleanupTempDirs());

const SECRETS = {
  ADMIN_PASSWORD: 'Adm1n-pass-Zq8w-unique-7731',
  JWT_SECRET: 'jwt-secret-Hq2vY7mN4pL9xK3sD8fG1hJ6kL0zX5cV',
  ENCRYPTION_KEY: 'encKey-R7tY2uI9oP4aS6dF1gH3jK8lZx'.slice(0, 32),
  METRICS_TOKEN: 'metrics-tok-W3eR5tY7uI9oP1aS',
};

test('with LOG_LEVEL=debug, no secret of a full scenario reaches the log files or stdout', async () => {
  const fake = await createFakeUpstream();
  const dir = tempDir('crs-logsecrets-');
  const logDir = join(dir, 'logs');
  const port = await freePort();
  const env = {
    NODE_ENV: 'production',
    DATA_DIR: join(dir, 'data'),
    LOG_DIR: logDir,
    LOG_LEVEL: 'debug',
    LOG_STDOUT: 'true',
    BIND_HOST: '127.0.0.1',
    PORT: String(port),
    ADMIN_USERNAME: 'admin',
    ADMIN_SCRYPT_N: '16384',
    ANTHROPIC_API_URL: fake.url,
    CLAUDE_OAUTH_AUTHORIZE_URL: `${fake.url}/oauth/authorize`,
    CLAUDE_OAUTH_TOKEN_URL: `${fake.url}/v1/oauth/token`,
    CLAUDE_OAUTH_USAGE_URL: `${fake.url}/api/oauth/usage`,
    CLAUDE_OAUTH_PROFILE_URL: `${fake.url}/api/oauth/profile`,
    ...SECRETS,
  };
  const relay = await spawnRelay(dir, env).catch(async (e) => {
    await fake.close();
    throw e;
  });
  const url = `http://127.0.0.1:${port}`;
  const seen: string[] = [...Object.values(SECRETS)];
  try {
    const json = async (res: Response) => (res.status === 204 ? null : res.json());
    // A failed login (a near miss of the password), then a real one.
    const wrongPassword = SECRETS.ADMIN_PASSWORD.replace('7731', '7732');
    seen.push(wrongPassword);
    assert.equal(
      (
        await fetch(`${url}/web/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password: wrongPassword }),
        })
      ).status,
      401,
    );
    const login = (await json(
      await fetch(`${url}/web/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: SECRETS.ADMIN_PASSWORD }),
      }),
    )) as { token: string };
    seen.push(login.token);
    const admin = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}/admin${path}`, {
        method,
        headers: { authorization: `Bearer ${login.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, json: (await json(res)) as any };
    };

    // Accounts: an API key, one whose key the upstream rejects, a proxy with a password, and an OAuth subscription.
    const apiKey = 'sk-ant-api03-LOGSECRET-account-key-9f8e7d6c5b4a';
    const rejectedKey = 'sk-ant-api03-LOGSECRET-rejected-key-1a2b3c4d';
    const proxyPassword = 'pr0xy-Pa55-LOGSECRET-42';
    seen.push(apiKey, rejectedKey, proxyPassword);
    fake.setApiKeys([apiKey]);
    assert.equal((await admin('POST', '/accounts', { kind: 'anthropic-api', name: 'main', apiKey, baseUrl: fake.url, priority: 10 })).status, 201);
    assert.equal(
      (await admin('POST', '/accounts', { kind: 'anthropic-api', name: 'rejected', apiKey: rejectedKey, baseUrl: fake.url, priority: 1 })).status,
      201,
    );
    const proxied = await admin('POST', '/accounts', {
      kind: 'anthropic-api',
      name: 'proxied',
      apiKey: 'sk-ant-api03-LOGSECRET-proxied-0000',
      baseUrl: fake.url,
      proxy: `http://proxyuser:${proxyPassword}@127.0.0.1:9`,
      schedulable: false,
    });
    assert.equal(proxied.status, 201, JSON.stringify(proxied.json));
    seen.push('sk-ant-api03-LOGSECRET-proxied-0000');
    const session = await admin('POST', '/oauth/sessions', { provider: 'claude' });
    assert.equal(session.status, 201);
    const code = fake.oauth.authorize(session.json.authUrl);
    seen.push(code);
    assert.equal((await admin('POST', `/oauth/sessions/${session.json.sessionId}/exchange`, { code })).status, 200);
    const oauthAcct = await admin('POST', '/accounts', { kind: 'anthropic-oauth', name: 'max', oauthSessionId: session.json.sessionId, priority: 20 });
    assert.equal(oauthAcct.status, 201, JSON.stringify(oauthAcct.json));
    assert.equal((await admin('POST', `/accounts/${oauthAcct.json.id}/refresh-token`)).status < 500, true);

    // Relay keys, used as x-api-key, as a bearer token, in a key-info body and for a stats session.
    const k1 = await admin('POST', '/api-keys', { name: 'alice' });
    const k2 = await admin('POST', '/api-keys', { name: 'bob', concurrencyLimit: 2 });
    seen.push(k1.json.key, k2.json.key);
    fake.setDefault({ kind: 'reply' });
    for (let i = 0; i < 4; i++) assert.equal((await sendMessage(url, { key: k1.json.key, stream: i % 2 === 0, text: `hello ${i}` })).kind, 'ok');
    const viaBearer = await fetch(`${url}/api/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${k2.json.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
    });
    assert.equal(viaBearer.status, 200);
    await viaBearer.text();
    await fetch(`${url}/api/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'x-api-key': k1.json.key, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }] }),
    }).then((r) => r.text());
    await fetch(`${url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${k1.json.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }] }),
    }).then((r) => r.text());
    await fetch(`${url}/api/v1/key-info`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: k1.json.key }) }).then(
      (r) => r.text(),
    );
    const stats = (await (
      await fetch(`${url}/stats/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: k2.json.key }) })
    ).json()) as { token: string };
    seen.push(stats.token);
    assert.equal((await fetch(`${url}/stats/api/me`, { headers: { authorization: `Bearer ${stats.token}` } })).status, 200);
    // Wrong keys (a typo of a real one, and a random one) and an upstream error that echoes nothing secret.
    const typo = k1.json.key.slice(0, -1) + (k1.json.key.endsWith('0') ? '1' : '0');
    seen.push(typo);
    assert.equal((await sendMessage(url, { key: typo })).status, 401);
    fake.enqueue({ kind: 'error', status: 500 }, { times: 3 });
    await sendMessage(url, { key: k1.json.key, text: 'failing' });
    assert.equal((await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${SECRETS.METRICS_TOKEN}` } })).status, 200);
    // The OAuth tokens the fake issued (the relay stored and used them).
    const oauth = fake.oauth as unknown as { access: Map<string, unknown>; refresh: Map<string, unknown> };
    for (const t of [...oauth.access.keys(), ...oauth.refresh.keys()]) seen.push(t);
    assert.ok(oauth.access.size >= 1, 'the OAuth flow issued tokens');
    assert.equal((await admin('DELETE', '/session')).status < 300, true);
  } finally {
    relay.child.kill('SIGTERM');
    await Promise.race([relay.exited, new Promise((r) => setTimeout(r, 5000))]);
    if (relay.child.exitCode === null) relay.child.kill('SIGKILL');
    await fake.close();
  }

  const files = readdirSync(logDir).filter((f) => f.endsWith('.log'));
  assert.ok(files.length >= 1, 'log files were written');
  const logs = [...files.map((f) => readFileSync(join(logDir, f), 'utf8')), relay.stdout()];
  const all = logs.join('\n');
  assert.ok(all.split('\n').length > 30, `a debug-level scenario logs plenty (${all.split('\n').length} lines)`);
  assert.match(all, /"msg":"relayed"/, 'the relayed requests were logged');
  const leaks: string[] = [];
  for (const secret of new Set(seen.filter((s) => typeof s === 'string' && s.length >= 12))) {
    // The whole secret, and any 16-character piece of it past its well-known prefix (a truncated or sliced leak).
    const body = secret.replace(/^(sk-ant-(api03|oat01|ort01)-|cr_|st_)/, '');
    const pieces = [secret, ...Array.from({ length: Math.max(0, body.length - 15) }, (_, i) => body.slice(i, i + 16))];
    const hit = pieces.find((p) => all.includes(p));
    if (hit) leaks.push(`${secret.slice(0, 12)}… (found "${hit}")`);
  }
  assert.deepEqual(leaks, [], 'secrets in the logs');
});
