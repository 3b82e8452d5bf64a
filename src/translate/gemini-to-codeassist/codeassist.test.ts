// Gemini ↔ Code Assist (PROTOCOLS 5.6): the envelope around requests, the client's own bodies retargeted, and answers
// unwrapped — JSON, JSON array and SSE in any chunking, re-framed as `data: ` + blank line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CodeAssistJsonUnwrapper,
  CodeAssistSseUnwrapper,
  retargetCountTokens,
  retargetGenerate,
  retargetSetup,
  unwrapJsonText,
  wrapCountTokens,
  wrapGenerate,
} from './index.js';

const contents = [{ role: 'user', parts: [{ text: 'hi' }] }];

test('requests: generate wrapped with model and project; countTokens narrowed to contents', () => {
  assert.deepEqual(wrapGenerate({ contents, generationConfig: { temperature: 1 } }, { model: 'models/gemini-2.5-pro', project: 'p1' }), {
    model: 'gemini-2.5-pro',
    project: 'p1',
    request: { contents, generationConfig: { temperature: 1 } },
  });
  assert.deepEqual(wrapCountTokens({ contents }, { model: 'gemini-2.5-pro' }), { request: { model: 'models/gemini-2.5-pro', contents } });
  assert.deepEqual(wrapCountTokens({ generateContentRequest: { model: 'models/x', contents, tools: [] } }, { model: 'gemini-2.5-pro' }), {
    request: { model: 'models/gemini-2.5-pro', contents },
  });
});

test('the client’s own Code Assist bodies point at the serving account’s project and model', () => {
  assert.deepEqual(retargetGenerate({ model: 'a', project: 'theirs', user_prompt_id: 'u', request: { contents } }, { model: 'b', project: 'ours' }), {
    model: 'b',
    project: 'ours',
    user_prompt_id: 'u',
    request: { contents },
  });
  assert.deepEqual(retargetCountTokens({ request: { model: 'models/a', contents } }, { model: 'b' }), { request: { model: 'models/b', contents } });
  assert.deepEqual(retargetSetup({ metadata: { pluginType: 'GEMINI' } }, { project: 'ours' }), {
    metadata: { pluginType: 'GEMINI' },
    cloudaicompanionProject: 'ours',
  });
  assert.deepEqual(retargetSetup({ cloudaicompanionProject: 'theirs', metadata: { duetProject: 'theirs' } }, { project: 'ours' }), {
    cloudaicompanionProject: 'ours',
    metadata: { duetProject: 'ours' },
  });
});

test('JSON answers: the inner response, traceId as responseId when it has none; arrays element-wise; errors untouched', () => {
  assert.equal(unwrapJsonText('{"response":{"candidates":[]},"traceId":"t1"}'), '{"candidates":[],"responseId":"t1"}');
  assert.equal(unwrapJsonText('{"response":{"responseId":"r"},"traceId":"t1"}'), '{"responseId":"r"}');
  assert.equal(unwrapJsonText('[{"response":{"a":1}},{"response":{"a":2}}]'), '[{"a":1},{"a":2}]');
  assert.equal(unwrapJsonText('{"error":{"code":429}}'), '{"error":{"code":429}}');
  assert.equal(unwrapJsonText('not json'), 'not json');
  const j = new CodeAssistJsonUnwrapper();
  assert.equal(j.push(Buffer.from('{"response":')), '');
  assert.equal(j.push(Buffer.from('{"x":1}}')), '');
  assert.equal(j.end(), '{"x":1}');
});

const SSE =
  'data: {"response":{"candidates":[{"content":{"parts":[{"text":"Zü"}]}}]},"traceId":"t"}\r\n\r\n: a comment\r\n\r\ndata: {"response":{"candidates":[{"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3}},"traceId":"t"}\r\n\r\n';
const EXPECTED =
  'data: {"candidates":[{"content":{"parts":[{"text":"Zü"}]}}],"responseId":"t"}\n\ndata: {"candidates":[{"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3},"responseId":"t"}\n\n';

test('SSE answers: unwrapped per event, LF framing with `data: ` and a blank line, same output for any chunking', () => {
  const bytes = Buffer.from(SSE);
  for (const size of [bytes.length, 1, 3, 17]) {
    const u = new CodeAssistSseUnwrapper();
    let out = '';
    for (let i = 0; i < bytes.length; i += size) out += u.push(bytes.subarray(i, i + size));
    out += u.end();
    assert.equal(out, EXPECTED, `chunks of ${size}`);
  }
});

test('SSE: an error event passes as it is; a multi-line payload stays one event', () => {
  const u = new CodeAssistSseUnwrapper();
  assert.equal(
    u.push(Buffer.from('data: {"error":{"code":500}}\n\ndata: {"a":\ndata: 1}\n\n')) + u.end(),
    'data: {"error":{"code":500}}\n\ndata: {"a":\ndata: 1}\n\n',
  );
});
