import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateDir, privateFile, writePrivateFile } from './private-files.js';

const mode = (p: string) => statSync(p).mode & 0o777;
const tmp = () => mkdtempSync(join(tmpdir(), 'crs-private-'));

test('folders 0700 and files 0600, created or tightened', () => {
  const d = tmp();
  const created = join(d, 'a', 'b');
  assert.equal(privateDir(created), null);
  assert.equal(mode(created), 0o700);
  const loose = join(d, 'loose');
  mkdirSync(loose, { mode: 0o755 });
  chmodSync(loose, 0o755);
  privateDir(loose);
  assert.equal(mode(loose), 0o700, 'an existing folder is tightened');
  const shared = join(d, 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o755);
  privateDir(shared, { tightenExisting: false });
  assert.equal(mode(shared), 0o755, 'unless it is a folder the operator chose');
  const f = join(d, 'f');
  privateFile(f);
  assert.equal(mode(f), 0o600);
  chmodSync(f, 0o644);
  privateFile(f);
  assert.equal(mode(f), 0o600);
});

test('writePrivateFile: an existing world-readable file ends up 0600 with the new content', () => {
  const f = join(tmp(), 'export.json');
  writeFileSync(f, 'old and longer content');
  chmodSync(f, 0o644);
  writePrivateFile(f, '{"secret":1}');
  assert.equal(mode(f), 0o600);
  assert.equal(readFileSync(f, 'utf8'), '{"secret":1}');
});
