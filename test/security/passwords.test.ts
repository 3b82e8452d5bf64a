// P8 item 7: admin passwords are hashed at OWASP's scrypt cost (N=2^17, r=8, p=1); a hash made at the former cost
// still logs in and is upgraded on that login.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword } from '../../src/platform/secrets.js';
import { ADMIN, startRelay } from '../support/harness.js';

test('admin password: OWASP cost by default; an older hash verifies with its own parameters and is upgraded', async () => {
  // The harness lowers the cost for speed; this test runs at the default.
  const t = await startRelay({ env: { ADMIN_SCRYPT_N: '131072' } });
  try {
    const stored = await t.relay.store.admins.get(ADMIN.username);
    assert.match(stored!.passwordHash, /^scrypt\$131072\$8\$1\$/);

    const old = { ...stored!, passwordHash: await hashPassword(ADMIN.password, 16_384), updatedAt: stored!.createdAt };
    await t.relay.store.admins.put(old);
    const res = await fetch(`${t.url}/web/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    assert.equal(res.status, 200, 'the old hash still verifies');
    const upgraded = await t.relay.store.admins.get(ADMIN.username);
    assert.match(upgraded!.passwordHash, /^scrypt\$131072\$8\$1\$/, 'and was rehashed at the current cost');
    assert.equal(upgraded!.updatedAt, old.updatedAt, 'a rehash is not a password change');
  } finally {
    await t.close();
  }
});
