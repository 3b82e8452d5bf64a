import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { UsageEvent } from '../core/usage-event.js';
import { fromRequestLogRow, requestLogDoc } from './request-log-doc.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

const event = (over: Partial<UsageEvent> = {}): UsageEvent => ({
  requestId: 'req_doc_1',
  ts: Date.UTC(2026, 11, 7, 5, 0),
  keyId: 'key-1',
  accountId: 'acc-1',
  model: 'claude-sonnet-4-5 "quoted" \\ ünïcode',
  endpoint: '/v1/messages',
  stream: true,
  status: 200,
  durationMs: 1234,
  usage: { input: 7500, output: 30, cacheWrite5m: 1, cacheWrite1h: 2, cacheRead: 3 },
  costNanos: 123_456_789,
  partial: false,
  errorCode: null,
  buckets: { hour: '2026-12-07T13', day: '2026-12-07', month: '2026-12' },
  ...over,
});

test('request log doc: every field comes back, nulls and strings needing escapes included; the columns are not repeated', () => {
  for (const e of [event(), event({ accountId: null, partial: true, errorCode: 'upstream_overloaded', stream: false, status: 529 })]) {
    const doc = requestLogDoc(e);
    assert.ok(!doc.includes(e.requestId) && !doc.includes(e.keyId) && !doc.includes(String(e.ts)), doc);
    assert.deepEqual(fromRequestLogRow({ request_id: e.requestId, ts: e.ts, key_id: e.keyId, doc }), e);
  }
  // The point of the form: fewer than half the object form's bytes.
  assert.ok(requestLogDoc(event()).length * 2 < JSON.stringify(event()).length);
});

test('request log doc: rows written in the object form by an earlier version read as they were, beside new rows', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crs-reqlog-'));
  const file = join(dir, 'relay.db');
  try {
    const older = event({ requestId: 'req_old', ts: Date.UTC(2026, 11, 7, 4, 0), errorCode: 'x' });
    let store = new SqliteStore({ file, pollMs: 0 });
    await store.close();
    // What an earlier version wrote: the whole event as a JSON object.
    const db = new Database(file);
    db.prepare('INSERT INTO request_log (request_id, ts, key_id, doc) VALUES (?, ?, ?, ?)').run(older.requestId, older.ts, older.keyId, JSON.stringify(older));
    db.close();
    store = new SqliteStore({ file, pollMs: 0 });
    const newer = event({ requestId: 'req_new' });
    await store.usage.record([newer]);
    assert.deepEqual(await store.usage.recentRequests(10, { keyId: 'key-1' }), [newer, older]);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
