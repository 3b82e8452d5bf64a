// Every admin call the web UI makes is described by /admin/openapi.json (UI-SPEC §3): the paths the SPA's sources
// call are read from web/src and looked up in the generated document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildOpenApi } from '../../src/http/admin/openapi.js';

const WEB = resolve(import.meta.dirname, '../../web/src');

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.(ts|vue)$/.test(name)) out.push(p);
  }
  return out;
}

test('every /admin path the SPA calls is in the OpenAPI document', () => {
  const doc = buildOpenApi('test') as { paths: Record<string, unknown> };
  const documented = new Set(Object.keys(doc.paths).map((p) => p.replace(/\{[^}]+\}/g, '{}')));
  const called = new Set<string>();
  for (const f of files(WEB)) {
    for (const m of readFileSync(f, 'utf8').matchAll(/['`](\/(?:admin|stats\/api)\/[A-Za-z0-9_\-/.${}]+)['`]/g)) {
      const p = m[1].replace(/\$\{[^}]+\}/g, '{}').replace(/\{[^}]*\}/g, '{}');
      // `${action}` style endings name several documented routes; they are checked by their own entries.
      if (/\{\}\/\{\}|\{\}\./.test(p)) continue;
      called.add(p);
    }
  }
  assert.ok(called.size > 20, `found ${called.size} calls`);
  const missing = [...called].filter((p) => !documented.has(p));
  assert.deepEqual(missing, [], 'UI calls without an OpenAPI entry');
});
