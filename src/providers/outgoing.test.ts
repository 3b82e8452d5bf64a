// The outgoing path and body of an operation for a kind: `{model}` filled in, envelopes applied, model mapping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { upstreamBody, upstreamPath } from './outgoing.js';
import type { ProviderAdapter } from './types.js';

const adapter = {
  paths: { inPath: '/v1beta/models/{model}:generateContent', inBody: '/v1/messages', wrapped: '/v1internal:generateContent' },
  envelopes: {
    wrapped: {
      wrap: (json: Record<string, unknown>, c: { model: string; secrets: unknown }) => ({
        model: c.model,
        project: (c.secrets as { p: string }).p,
        request: json,
      }),
    },
  },
} as unknown as ProviderAdapter;

test('paths: {model} filled (encoded), others as they are, unknown ops undefined', () => {
  assert.equal(upstreamPath(adapter, 'inPath', 'gemini-2.5-flash'), '/v1beta/models/gemini-2.5-flash:generateContent');
  assert.equal(upstreamPath(adapter, 'inPath', 'tuned/x y'), '/v1beta/models/tuned%2Fx%20y:generateContent');
  assert.equal(upstreamPath(adapter, 'inBody', 'm'), '/v1/messages');
  assert.equal(upstreamPath(adapter, 'nope', 'm'), undefined);
});

test('bodies: unchanged (null) when nothing changes; mapped model set only when it travels in the body; envelopes always apply', () => {
  const json = { contents: [] };
  assert.equal(upstreamBody(adapter, 'inBody', { json: () => json, requestedModel: 'a', model: 'a', secrets: {} }), null);
  assert.deepEqual(upstreamBody(adapter, 'inBody', { json: () => ({ model: 'a', x: 1 }), requestedModel: 'a', model: 'b', secrets: {} }), { model: 'b', x: 1 });
  assert.equal(upstreamBody(adapter, 'inPath', { json: () => json, requestedModel: 'a', model: 'b', secrets: {} }), null, 'the path carries the mapped model');
  assert.deepEqual(upstreamBody(adapter, 'wrapped', { json: () => json, requestedModel: 'a', model: 'b', secrets: { p: 'proj' } }), {
    model: 'b',
    project: 'proj',
    request: json,
  });
});
