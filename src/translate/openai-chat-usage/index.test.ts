import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestStreamUsage, UsageChunkFilter } from './index.js';

const chunk = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const STREAM =
  chunk({ id: 'c1', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], usage: null }) +
  chunk({ id: 'c1', choices: [{ index: 0, delta: { content: 'Hé' }, finish_reason: null }], usage: null }) +
  chunk({ id: 'c1', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null }) +
  chunk({ id: 'c1', choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } }) +
  'data: [DONE]\n\n';

test('usage is requested upstream only for streams that did not ask; the client’s own request is kept', () => {
  assert.deepEqual(requestStreamUsage({ stream: true, model: 'm' }), {
    json: { stream: true, model: 'm', stream_options: { include_usage: true } },
    clientAsked: false,
  });
  const asked = { stream: true, stream_options: { include_usage: true } };
  assert.equal(requestStreamUsage(asked).json, asked);
  assert.equal(requestStreamUsage(asked).clientAsked, true);
  assert.equal(requestStreamUsage({ stream: false }).clientAsked, true);
});

for (const size of [1, 3, 17, 10_000]) {
  test(`the usage-only chunk is removed, everything else kept in order (chunks of ${size} bytes)`, () => {
    const f = new UsageChunkFilter();
    const bytes = Buffer.from(STREAM);
    let out = '';
    for (let i = 0; i < bytes.length; i += size) out += f.push(bytes.subarray(i, i + size));
    out += f.end();
    const datas = out
      .split('\n\n')
      .filter(Boolean)
      .map((e) => e.replace(/^data: /, ''));
    assert.equal(datas.length, 4);
    assert.equal(datas.at(-1), '[DONE]');
    assert.ok(!out.includes('prompt_tokens'), 'the usage chunk is gone');
    assert.ok(out.includes('"content":"Hé"'), 'multi-byte text survives any cut');
  });
}
