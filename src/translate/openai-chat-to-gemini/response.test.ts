// Non-streaming answers (§6.9 read for OpenAI, §6.8 finish reasons, §6.7 usage) and the error mapping (PROTOCOLS 5.5 → 4.4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { geminiErrorToChat, geminiStreamErrorToChat } from './error.js';
import { finishReason, geminiToChatCompletion } from './response.js';

const CTX = { model: 'gemini-2.5-pro', id: 'chatcmpl-xyz', created: 1767000000 };

test('thoughts, merged text, parallel calls (ids generated unless Gemini gave one, signature kept), cache and thought tokens', () => {
  const answer = JSON.parse(readFileSync(new URL('./__fixtures__/response-thinking-tools.json', import.meta.url), 'utf8'));
  assert.deepEqual(geminiToChatCompletion(answer, CTX), {
    id: 'chatcmpl-xyz',
    object: 'chat.completion',
    created: 1767000000,
    model: 'gemini-2.5-pro',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: 'Let me check both.',
          refusal: null,
          reasoning_content: 'Considering the city…',
          tool_calls: [
            {
              id: 'call_xyz_0',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
              extra_content: { google: { thought_signature: 'CikB…' } },
            },
            { id: 'fc-7', type: 'function', function: { name: 'get_time', arguments: '{}' } },
          ],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ],
    usage: {
      prompt_tokens: 120,
      completion_tokens: 228,
      total_tokens: 348,
      prompt_tokens_details: { cached_tokens: 64 },
      completion_tokens_details: { reasoning_tokens: 210 },
    },
  });
});

test('no text → content null; a blocked prompt → content_filter; no usage → zeros', () => {
  const r = geminiToChatCompletion({ promptFeedback: { blockReason: 'SAFETY' } }, CTX) as any;
  assert.equal(r.choices[0].message.content, null);
  assert.equal(r.choices[0].finish_reason, 'content_filter');
  assert.deepEqual(r.usage.prompt_tokens, 0);
});

const finishes: [unknown, boolean, string][] = [
  ['STOP', false, 'stop'],
  ['STOP', true, 'tool_calls'],
  ['MAX_TOKENS', false, 'length'],
  ['SAFETY', false, 'content_filter'],
  ['RECITATION', false, 'content_filter'],
  ['PROHIBITED_CONTENT', false, 'content_filter'],
  ['MALFORMED_FUNCTION_CALL', false, 'stop'],
  ['OTHER', false, 'stop'],
  ['SOMETHING_NEW', false, 'stop'],
  [undefined, false, 'stop'],
];
for (const [reason, calls, expected] of finishes)
  test(`finishReason ${String(reason)}${calls ? ' with calls' : ''} → ${expected}`, () => assert.equal(finishReason(reason, calls), expected));

const errors: [string, number, unknown, { status: number; type: string; code: string | null; message: RegExp }][] = [
  [
    '429 keeps its status',
    429,
    { error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } },
    { status: 429, type: 'requests', code: 'rate_limit_exceeded', message: /exhausted/ },
  ],
  [
    'an invalid account key is not the client’s key',
    400,
    { error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT' } },
    { status: 400, type: 'invalid_request_error', code: null, message: /API key/ },
  ],
  [
    'unknown model',
    404,
    { error: { code: 404, message: 'models/x is not found for API version v1beta', status: 'NOT_FOUND' } },
    { status: 404, type: 'invalid_request_error', code: 'model_not_found', message: /not found/ },
  ],
  [
    '503 overloaded',
    503,
    Buffer.from('{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}'),
    { status: 503, type: 'server_error', code: null, message: /overloaded/ },
  ],
  ['an HTML page from a proxy gets a generic message', 502, '<html>bad gateway</html>', { status: 502, type: 'server_error', code: null, message: /HTTP 502/ }],
  [
    'a JSON-array error body',
    400,
    [{ error: { code: 400, message: 'bad', status: 'INVALID_ARGUMENT' } }],
    { status: 400, type: 'invalid_request_error', code: null, message: /bad/ },
  ],
];
for (const [name, status, body, e] of errors) {
  test(`error: ${name}`, () => {
    const r = geminiErrorToChat(status, body);
    assert.equal(r.status, e.status);
    assert.equal(r.body.error.type, e.type);
    assert.equal(r.body.error.code, e.code);
    assert.match(r.body.error.message, e.message);
  });
}

test('a stream error event → an OpenAI stream error object', () => {
  assert.deepEqual(geminiStreamErrorToChat({ error: { code: 429, message: 'quota' } }), { message: 'quota', type: 'requests', code: null });
  assert.deepEqual(geminiStreamErrorToChat({}), { message: 'upstream stream failed', type: 'server_error', code: null });
});
