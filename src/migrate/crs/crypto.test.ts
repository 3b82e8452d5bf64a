import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CRS_SALTS, CrsCipher, CrsDecryptError, crsKeyHash } from './crypto.js';

const FIX = join(import.meta.dirname, '../../../test/fixtures/crs');
const dump = JSON.parse(readFileSync(join(FIX, 'redis-dump.json'), 'utf8')) as { keys: Record<string, { value: Record<string, string> }> };
const holders = JSON.parse(readFileSync(join(FIX, 'holders.json'), 'utf8')) as {
  encryptionKey: string;
  ids: Record<string, string>;
  keys: Record<string, string>;
  secrets: Record<string, string>;
};
const field = (k: string, f: string) => dump.keys[k].value[f];

const cases = [
  {
    name: 'Claude OAuth access token (salt "salt")',
    sealed: field(`claude:account:${holders.ids.claude}`, 'accessToken'),
    salt: CRS_SALTS.claude,
    plain: holders.secrets.claudeAccess,
  },
  {
    name: 'Console API key (its own salt)',
    sealed: field(`claude_console_account:${holders.ids.console}`, 'apiKey'),
    salt: CRS_SALTS.claudeConsole,
    plain: holders.secrets.consoleKey,
  },
  {
    name: 'Gemini API key',
    sealed: field(`gemini_api_account:${holders.ids.geminiApi}`, 'apiKey'),
    salt: CRS_SALTS.geminiApi,
    plain: holders.secrets.geminiApiKey,
  },
  { name: 'the older IV-less form', sealed: field(`openai:account:${holders.ids.openai}`, 'email'), salt: CRS_SALTS.openai, plain: 'plus@example.com' },
  { name: 'plain text (a decrypted export) passes through', sealed: 'sk-ant-api03-plain', salt: CRS_SALTS.claude, plain: 'sk-ant-api03-plain' },
  { name: 'plain hex that is no sealed value passes through', sealed: 'ab'.repeat(16), salt: CRS_SALTS.claude, plain: 'ab'.repeat(16) },
];
for (const c of cases) test(`open: ${c.name}`, () => assert.equal(new CrsCipher(holders.encryptionKey).open(c.sealed, c.salt), c.plain));

test('open: a wrong ENCRYPTION_KEY or a missing one is a clear error, not garbage', () => {
  const sealed = cases[0].sealed;
  assert.throws(
    () => new CrsCipher('x'.repeat(32)).open(sealed, CRS_SALTS.claude),
    (e: unknown) => e instanceof CrsDecryptError && /is it the reference project’s key/.test(e.message),
  );
  assert.throws(() => new CrsCipher(null).open(sealed, CRS_SALTS.claude), /give the reference project’s ENCRYPTION_KEY/);
  // the wrong salt is a wrong key too
  assert.throws(() => new CrsCipher(holders.encryptionKey).open(sealed, CRS_SALTS.gemini), CrsDecryptError);
  assert.ok(CrsCipher.looksSealed(sealed));
  assert.ok(!CrsCipher.looksSealed('sk-ant-oat01-abc'));
});

test('key hash: SHA-256 of key + ENCRYPTION_KEY, as the records hold it', () => {
  for (const n of Object.keys(holders.keys)) {
    assert.equal(crsKeyHash(holders.keys[n], holders.encryptionKey), field(`apikey:${holders.ids[n]}`, 'apiKey'), n);
  }
  assert.notEqual(crsKeyHash(holders.keys.alpha, 'other'), field(`apikey:${holders.ids.alpha}`, 'apiKey'));
});
