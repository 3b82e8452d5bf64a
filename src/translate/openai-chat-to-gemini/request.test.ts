// Request conversion (§6.9 and the parameter rows of §6.1 read for Gemini; §6.10 #1, #2, #3, #6, #7, #8, #9),
// driven through chatToGemini: tables of cases, and every rejection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TranslateError } from '../errors.js';
import { chatToGemini } from './request.js';

const MODEL = 'gemini-2.5-flash';
const hi = [{ role: 'user', content: 'hi' }];
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const call = (id: string, name: string, args: unknown, extra?: unknown) => ({
  id,
  type: 'function',
  function: { name, arguments: args },
  ...(extra ? { extra_content: extra } : {}),
});
const weather = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};
const user = (parts: unknown[]) => ({ role: 'user', parts });
const model = (parts: unknown[]) => ({ role: 'model', parts });

interface Case {
  name: string;
  /** Merged over `{model, messages: hi}`. */
  body: Record<string, unknown>;
  /** Keys of the Gemini request that must equal these values. */
  expect: Record<string, unknown>;
  absent?: string[];
}

const cases: Case[] = [
  {
    name: 'plain user message; no config when nothing is set; the model stays out of the body',
    body: {},
    expect: { contents: [user([{ text: 'hi' }])] },
    absent: ['model', 'generationConfig', 'systemInstruction', 'tools', 'toolConfig'],
  },
  {
    name: 'system and developer messages → one systemInstruction; roles alternate user/model; empty content dropped (§6.10 #2)',
    body: {
      messages: [
        { role: 'system', content: 'Terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'French.' }] },
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: '' },
        { role: 'user', content: '  ' },
        { role: 'user', content: [{ type: 'text', text: 'again' }] },
      ],
    },
    expect: { systemInstruction: { parts: [{ text: 'Terse.\n\nFrench.' }] }, contents: [user([{ text: 'hi' }, { text: 'again' }])] },
  },
  {
    name: 'images: data URL → inlineData, http URL → fileData; PDF file and audio inline',
    body: {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'see' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
            { type: 'image_url', image_url: { url: 'https://x.test/cat.webp?s=1' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBE' } },
            { type: 'input_audio', input_audio: { data: 'UklG', format: 'wav' } },
          ],
        },
      ],
    },
    expect: {
      contents: [
        user([
          { text: 'see' },
          { inlineData: { mimeType: 'image/png', data: PNG } },
          { fileData: { mimeType: 'image/webp', fileUri: 'https://x.test/cat.webp?s=1' } },
          { inlineData: { mimeType: 'application/pdf', data: 'JVBE' } },
          { inlineData: { mimeType: 'audio/wav', data: 'UklG' } },
        ]),
      ],
    },
  },
  {
    name: 'parallel tool calls and their results (§6.10 #1): functionCall parts, then one user turn of functionResponses; signatures echoed back (#3); 0-arg and bad JSON args → {}',
    body: {
      messages: [
        ...hi,
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            call('c1', 'get_weather', '{"city":"Paris"}', { google: { thought_signature: 'SIG' } }),
            call('c2', 'get_time', ''),
            call('c3', 'broken', '{oops'),
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: '{"temp":"18C"}' },
        { role: 'tool', tool_call_id: 'c2', content: '12:00' },
        {
          role: 'tool',
          tool_call_id: 'c3',
          content: [
            { type: 'text', text: 'see' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
        { role: 'user', content: 'thanks' },
      ],
    },
    expect: {
      contents: [
        user([{ text: 'hi' }]),
        model([
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'SIG' },
          { functionCall: { name: 'get_time', args: {} } },
          { functionCall: { name: 'broken', args: {} } },
        ]),
        user([
          { functionResponse: { name: 'get_weather', response: { temp: '18C' } } },
          { functionResponse: { name: 'get_time', response: { content: '12:00' } } },
          { functionResponse: { name: 'broken', response: { content: 'see' } } },
          { inlineData: { mimeType: 'image/png', data: PNG } },
          { text: 'thanks' },
        ]),
      ],
    },
  },
  {
    name: 'assistant text before its tool calls',
    body: {
      messages: [
        ...hi,
        { role: 'assistant', content: 'Let me look.', tool_calls: [call('c1', 'get_time', '{}')] },
        { role: 'tool', tool_call_id: 'c1', content: 'now' },
      ],
    },
    expect: {
      contents: [
        user([{ text: 'hi' }]),
        model([{ text: 'Let me look.' }, { functionCall: { name: 'get_time', args: {} } }]),
        user([{ functionResponse: { name: 'get_time', response: { content: 'now' } } }]),
      ],
    },
  },
  {
    name: 'sampling and limits → generationConfig (temperature kept up to 2, penalties, seed, top_k); stop capped at 5',
    body: {
      temperature: 1.7,
      top_p: 0.9,
      top_k: 40,
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
      max_tokens: 100,
      max_completion_tokens: 300,
      stop: ['a', 'b', 'c', 'd', 'e', 'f'],
    },
    expect: {
      generationConfig: {
        temperature: 1.7,
        topP: 0.9,
        topK: 40,
        seed: 7,
        presencePenalty: 0.5,
        frequencyPenalty: 0.25,
        maxOutputTokens: 300,
        stopSequences: ['a', 'b', 'c', 'd', 'e'],
      },
    },
  },
  { name: 'stop string', body: { stop: 'END' }, expect: { generationConfig: { stopSequences: ['END'] } } },
  {
    name: 'tools → functionDeclarations; AUTO set explicitly',
    body: { tools: [weather] },
    expect: {
      tools: [
        {
          functionDeclarations: [
            { name: 'get_weather', description: 'Weather', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] } },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
    },
  },
  { name: 'tool_choice none', body: { tools: [weather], tool_choice: 'none' }, expect: { toolConfig: { functionCallingConfig: { mode: 'NONE' } } } },
  {
    name: 'tool_choice required → ANY',
    body: { tools: [weather], tool_choice: 'required' },
    expect: { toolConfig: { functionCallingConfig: { mode: 'ANY' } } },
  },
  {
    name: 'tool_choice function → ANY + allowedFunctionNames',
    body: { tools: [weather], tool_choice: { type: 'function', function: { name: 'get_weather' } } },
    expect: { toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } } },
  },
  { name: 'tool_choice without tools is dropped', body: { tool_choice: 'required', tools: [] }, expect: {}, absent: ['tools', 'toolConfig'] },
  {
    name: 'reasoning_effort high → thinking budget with thoughts',
    body: { reasoning_effort: 'high' },
    expect: { generationConfig: { thinkingConfig: { thinkingBudget: 24576, includeThoughts: true } } },
  },
  { name: 'reasoning_effort none → budget 0', body: { reasoning_effort: 'none' }, expect: { generationConfig: { thinkingConfig: { thinkingBudget: 0 } } } },
  {
    name: 'Gemini 3: reasoning_effort → thinkingLevel',
    body: { model: 'gemini-3-pro-preview', reasoning_effort: 'low' },
    expect: { generationConfig: { thinkingConfig: { thinkingLevel: 'low', includeThoughts: true } } },
  },
  {
    name: 'json_object → responseMimeType',
    body: { response_format: { type: 'json_object' } },
    expect: { generationConfig: { responseMimeType: 'application/json' } },
  },
  {
    name: 'json_schema → responseJsonSchema (full JSON Schema)',
    body: {
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'x', schema: { type: 'object', properties: { a: { type: 'number' } }, additionalProperties: false } },
      },
    },
    expect: {
      generationConfig: {
        responseMimeType: 'application/json',
        responseJsonSchema: { type: 'object', properties: { a: { type: 'number' } }, additionalProperties: false },
      },
    },
  },
  {
    name: 'fields without a Gemini counterpart are dropped',
    body: { logprobs: true, logit_bias: { 1: 2 }, user: 'u', metadata: { a: 'b' }, parallel_tool_calls: false, store: true, n: 1 },
    expect: {},
    absent: ['logprobs', 'logit_bias', 'user', 'metadata', 'parallel_tool_calls', 'store', 'n', 'generationConfig'],
  },
];

for (const c of cases) {
  test(c.name, () => {
    const { request } = chatToGemini({ model: MODEL, messages: hi, ...c.body });
    for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(request[k], v, k);
    for (const k of c.absent ?? []) assert.equal(k in request, false, `${k} absent`);
  });
}

test('stream flags: stream and include_usage', () => {
  assert.deepEqual(chatToGemini({ model: MODEL, messages: hi, stream: true, stream_options: { include_usage: true } }), {
    request: { contents: [user([{ text: 'hi' }])] },
    model: MODEL,
    stream: true,
    includeUsage: true,
  });
  assert.equal(chatToGemini({ model: MODEL, messages: hi, stream_options: { include_usage: true } }).includeUsage, false);
});

const rejections: [string, Record<string, unknown>, string][] = [
  ['n > 1', { n: 2 }, 'n'],
  ['legacy functions', { functions: [] }, 'functions'],
  ['empty messages', { messages: [] }, 'messages'],
  ['only empty content', { messages: [{ role: 'user', content: ' ' }] }, 'messages'],
  ['unknown role', { messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role'],
  [
    'a tool result for no earlier call (fails loudly, §6.9)',
    { messages: [...hi, { role: 'tool', tool_call_id: 'nope', content: 'x' }] },
    'messages[1].tool_call_id',
  ],
  [
    'image URL that is neither http nor data',
    { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x' } }] }] },
    'messages[0].content[0].image_url.url',
  ],
  ['a non-function tool', { tools: [{ type: 'web_search' }] }, 'tools[0].type'],
  ['bad tool_choice', { tools: [weather], tool_choice: 'sometimes' }, 'tool_choice'],
  ['bad reasoning_effort', { reasoning_effort: 'max' }, 'reasoning_effort'],
  ['bad max_tokens', { max_tokens: 0 }, 'max_tokens'],
  ['bad response_format', { response_format: { type: 'xml' } }, 'response_format.type'],
];
for (const [name, body, param] of rejections) {
  test(`rejects ${name}`, () => {
    assert.throws(
      () => chatToGemini({ model: MODEL, messages: hi, ...body }),
      (e: unknown) => e instanceof TranslateError && e.param === param,
    );
  });
}
