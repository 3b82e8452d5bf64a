// Every admin call the web UI makes is described by /admin/openapi.json (UI-SPEC §3): the paths the SPA's sources
// call are read from web/src and looked up in the generated document. And every route the running server registers
// under /admin, /stats/api and /web/auth is a documented declaration (read from its route table), and vice versa.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildOpenApi, documentedRoutes } from '../../src/http/admin/openapi.js';
import { startRelay } from '../support/harness.js';
import { listRoutes } from '../support/routes.js';

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

test('every route registered under /admin, /stats/api and /web/auth is documented, and every documented route is registered', async () => {
  const docs = documentedRoutes();
  const keys = docs.map((d) => `${d.method} ${d.fullPath}`);
  assert.deepEqual(
    keys.filter((k, i) => keys.indexOf(k) !== i),
    [],
    'each route is declared once',
  );
  // Aliases (alsoAt) are registered under the same declaration, relative to the same mount.
  const declared = new Set(
    docs.flatMap((d) => {
      const mount = d.fullPath.slice(0, d.fullPath.length - d.path.replace(/:(\w+)/g, '{$1}').length);
      return [d.path, ...(d.alsoAt ?? [])].map((p) => `${d.method} ${mount}${p}`);
    }),
  );
  const t = await startRelay();
  try {
    const registered = new Set(
      listRoutes(t.relay.app)
        // HEAD is Fastify's automatic twin of each GET.
        .filter((r) => r.method !== 'HEAD' && /^\/(admin|stats\/api|web\/auth)\//.test(r.path))
        .map((r) => `${r.method} ${r.path}`),
    );
    assert.deepEqual([...registered].filter((r) => !declared.has(r)).sort(), [], 'registered routes without a declaration');
    assert.deepEqual([...declared].filter((r) => !registered.has(r)).sort(), [], 'declared routes that are not registered');
  } finally {
    await t.close();
  }
});

test('every documented route declares its answer: a JSON schema, another content type, or 204 with no body', () => {
  const undeclared = documentedRoutes()
    .filter((d) => !d.response && !d.produces && !d.noContent)
    .map((d) => `${d.method} ${d.fullPath}`);
  assert.deepEqual(undeclared, [], 'routes whose answer is not declared');
  const doc = buildOpenApi('test') as {
    paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
  };
  const groups = doc.paths['/admin/groups'].get.responses['200'].content!['application/json'].schema as { properties?: Record<string, unknown> };
  assert.deepEqual(Object.keys(groups.properties ?? {}), ['items', 'total'], 'the document carries the declared answer');
  assert.equal(doc.paths['/admin/groups/{id}'].delete.responses['204'].content, undefined, 'a 204 has no body');
});
