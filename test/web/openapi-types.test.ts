// The web admin's generated API types (web/src/api/schema.d.ts) match what the route declarations generate now:
// a route or schema changed without `npm run gen:api` fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generateApiTypes, SCHEMA_FILE } from '../../scripts/gen-api.js';

test('web/src/api/schema.d.ts is up to date with /admin/openapi.json (npm run gen:api)', async () => {
  assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), await generateApiTypes(), 'run `npm run gen:api`');
});
