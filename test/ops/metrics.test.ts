// GET /metrics parsed by a strict Prometheus text parser, after real relayed requests; /health when the store is
// down; the in-flight gauge during an open stream; the optional scrape token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFakeUpstream } from '../support/fake-upstream/index.js';
import { startRelay } from '../support/harness.js';
import { parsePrometheusText, sampleValue } from '../support/prom-text.js';

const ACCOUNT_KEY = 'sk-ant-api03-metrics-account-0001';

async function scrape(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

function messages(url: string, key: string, stream: boolean) {
  return fetch(`${url}/api/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 32, stream, messages: [{ role: 'user', content: 'count my tokens please' }] }),
  });
}

test('/metrics: requests, latency histogram, tokens and cost by key/account/model, accounts, in-flight, store errors', async () => {
  const fake = await createFakeUpstream({ apiKeys: [ACCOUNT_KEY] });
  // Open metrics on the main port need the explicit opt-in (they name keys and accounts with their cost).
  const t = await startRelay({ env: { METRICS_PUBLIC: 'true' } });
  try {
    const account = await t.addAccount(fake.url, { apiKey: ACCOUNT_KEY });
    const key = await t.createKey({ name: 'metrics' });

    const empty = parsePrometheusText((await scrape(t.url)).text);
    assert.equal(empty.get('crs_requests_total')?.type, 'counter');
    assert.equal(empty.get('crs_request_duration_seconds')?.type, 'histogram');
    assert.equal(sampleValue(empty, 'crs_requests_in_flight'), 0);

    // An open stream is in flight until it ends.
    const inflightUsage = { input: 3, output: 6 };
    fake.enqueue({ kind: 'reply', text: 'one two three four five six', usage: { input_tokens: 3, output_tokens: 6 }, stream: { delayMs: 60 } });
    const open = await messages(t.url, key.key, true);
    const reader = open.body!.getReader();
    await reader.read();
    assert.equal(sampleValue(parsePrometheusText((await scrape(t.url)).text), 'crs_requests_in_flight'), 1);
    while (!(await reader.read()).done);
    const deadline = Date.now() + 2000;
    let inFlight = -1;
    while (Date.now() < deadline && (inFlight = sampleValue(parsePrometheusText((await scrape(t.url)).text), 'crs_requests_in_flight')) !== 0) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(inFlight, 0);

    fake.enqueue({ kind: 'reply', usage: { input_tokens: 11, output_tokens: 7, cache_read_input_tokens: 5 } });
    assert.equal((await messages(t.url, key.key, false)).status, 200);
    fake.enqueue({ kind: 'reply', usage: { input_tokens: 13, output_tokens: 3 } });
    const streamed = await messages(t.url, key.key, true);
    assert.equal(streamed.status, 200);
    await streamed.text();
    // 529: the account cools down as overloaded (the account gauge shows that state).
    fake.enqueue({ kind: 'error', status: 529 });
    assert.equal((await messages(t.url, key.key, false)).status, 529);
    assert.equal((await messages(t.url, 'cr_' + '0'.repeat(64), false)).status, 401);

    const s = await scrape(t.url);
    assert.equal(s.status, 200);
    assert.match(s.type ?? '', /^text\/plain; version=0\.0\.4/);
    const m = parsePrometheusText(s.text);
    const ep = '/v1/messages';
    assert.equal(sampleValue(m, 'crs_requests_total', { endpoint: ep, status: '200' }), 3);
    assert.equal(sampleValue(m, 'crs_requests_total', { endpoint: ep, status: '529' }), 1);
    assert.equal(sampleValue(m, 'crs_request_duration_seconds_count', { endpoint: ep }), 4);
    assert.equal(sampleValue(m, 'crs_request_duration_seconds_bucket', { endpoint: ep, le: '+Inf' }), 4);
    assert.ok(sampleValue(m, 'crs_request_duration_seconds_sum', { endpoint: ep }) > 0);
    const labels = { key_id: key.id, account_id: account.id, model: 'claude-sonnet-4-5' };
    assert.equal(sampleValue(m, 'crs_tokens_total', { ...labels, type: 'input' }), 24 + inflightUsage.input);
    assert.equal(sampleValue(m, 'crs_tokens_total', { ...labels, type: 'output' }), 10 + inflightUsage.output);
    assert.equal(sampleValue(m, 'crs_tokens_total', { ...labels, type: 'cache_read' }), 5);
    const cost = sampleValue(m, 'crs_cost_usd_total', labels);
    assert.ok(cost > 0 && cost < 0.01, `cost ${cost}`);
    assert.equal(sampleValue(m, 'crs_accounts', { kind: 'anthropic-api', state: 'overloaded' }), 1);
    assert.equal(sampleValue(m, 'crs_requests_in_flight'), 0);
    assert.equal(sampleValue(m, 'crs_store_errors_total'), 0);
    assert.equal(sampleValue(m, 'crs_build_info'), 1);
    assert.ok(m.has('process_resident_memory_bytes'), 'process metrics are exported');

    // The store goes away: /health says 503 and the failures are counted.
    await t.relay.store.close();
    const health = await fetch(`${t.url}/health`);
    assert.equal(health.status, 503);
    assert.equal(((await health.json()) as { store: { ok: boolean } }).store.ok, false);
    const after = parsePrometheusText((await scrape(t.url)).text);
    assert.ok(sampleValue(after, 'crs_store_errors_total') >= 1);
  } finally {
    await t.close().catch(() => undefined);
    await fake.close();
  }
});

test('/health: store, pool summary, version and uptime', async () => {
  const t = await startRelay();
  try {
    const res = await fetch(`${t.url}/health`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, any>;
    assert.equal(body.status, 'ok');
    assert.equal(body.store.kind, 'sqlite');
    assert.equal(body.store.ok, true);
    assert.equal(typeof body.version, 'string');
    assert.equal(typeof body.uptimeSec, 'number');
    assert.equal(typeof body.accounts.total, 'number');
  } finally {
    await t.close();
  }
});

test('/metrics on the main port: refused unless METRICS_TOKEN or METRICS_PUBLIC=true (keys and accounts with their cost)', async () => {
  const t = await startRelay();
  try {
    const r = await scrape(t.url);
    assert.equal(r.status, 401, 'no token and no explicit opt-in: not served to anyone');
    assert.match(r.text, /METRICS_TOKEN/);
    assert.doesNotMatch(r.text, /crs_/);
  } finally {
    await t.close();
  }
});

test('/metrics: METRICS_BIND serves them on a separate listener only', async () => {
  const t = await startRelay({ env: { METRICS_BIND: '127.0.0.1:0' } });
  try {
    assert.equal((await scrape(t.url)).status, 404, 'not on the main port');
    const app = t.relay.metricsApp!;
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    const ok = await scrape(`http://127.0.0.1:${port}`);
    assert.equal(ok.status, 200);
    parsePrometheusText(ok.text);
  } finally {
    await t.close();
  }
});

test('/metrics: METRICS_TOKEN, when set, is required', async () => {
  const token = 'metrics-token-0123456789';
  const t = await startRelay({ env: { METRICS_TOKEN: token } });
  try {
    assert.equal((await scrape(t.url)).status, 401);
    assert.equal((await scrape(t.url, { authorization: 'Bearer wrong-token-000000000' })).status, 401);
    const ok = await scrape(t.url, { authorization: `Bearer ${token}` });
    assert.equal(ok.status, 200);
    parsePrometheusText(ok.text);
  } finally {
    await t.close();
  }
});
