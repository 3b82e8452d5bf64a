// Account groups in export documents: they live in the store's groups repository but travel as `group:<id>`
// settings entries, the format documents of earlier versions have (so old exports still import).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSecrets } from '../platform/secrets.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { exportData, importData, parseExportDocument } from './data-transfer.js';

const secrets = createSecrets('k'.repeat(32));
const group = { id: 'g-1', name: 'team', description: 'the team', createdAt: 10, updatedAt: 20 };
const open = () => new SqliteStore({ file: ':memory:', pollMs: 0 });

test('groups are exported as group:<id> entries and imported into the groups repository', async () => {
  const src = open();
  const dst = open();
  try {
    await src.groups.put(group);
    await src.kv.set('settings:branding', '{"title":"Relay"}');
    const doc = await exportData(src, secrets, { decrypt: false, relayVersion: 'test', now: 0 });
    assert.deepEqual(doc.settings, [
      { key: 'group:g-1', value: JSON.stringify(group) },
      { key: 'settings:branding', value: '{"title":"Relay"}' },
    ]);
    const r = await importData(dst, secrets, parseExportDocument(JSON.parse(JSON.stringify(doc))), { force: false, ignoreKeyCheck: false });
    assert.equal(r.settings, 2);
    assert.deepEqual(await dst.groups.list(), [group]);
    assert.deepEqual(await dst.kv.scan('group:'), [], 'nothing in kv');
    assert.equal(await dst.kv.get('settings:branding'), '{"title":"Relay"}');
    // The same document again: nothing conflicts; a changed group does unless forced.
    assert.equal((await importData(dst, secrets, doc, { force: false, ignoreKeyCheck: false })).replaced, 0);
    await dst.groups.put({ ...group, name: 'renamed' });
    await assert.rejects(importData(dst, secrets, doc, { force: false, ignoreKeyCheck: false }), /setting group:g-1/);
    await importData(dst, secrets, doc, { force: true, ignoreKeyCheck: false });
    assert.equal((await dst.groups.get('g-1'))?.name, 'team');
  } finally {
    await src.close();
    await dst.close();
  }
});

test('a group entry that holds no group is refused before anything is imported', () => {
  const base = { format: 'crs-export', version: 1, keyCheck: 'x', apiKeys: [], accounts: [] };
  assert.throws(() => parseExportDocument({ ...base, settings: [{ key: 'group:g-2', value: 'not json' }] }), /group:g-2 is not an account group/);
  assert.throws(() => parseExportDocument({ ...base, settings: [{ key: 'group:g-2', value: '{"description":"no name"}' }] }), /not an account group/);
  assert.doesNotThrow(() => parseExportDocument({ ...base, settings: [{ key: 'group:g-2', value: '{"name":"n"}' }] }));
});
