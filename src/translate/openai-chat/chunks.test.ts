import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatChunkStream, type ChunkContext } from './chunks.js';

class Probe extends ChatChunkStream {
  one(delta: Record<string, unknown>, finish: string | null = null): string {
    return this.chunk(delta, finish);
  }
}

test('a chunk is byte for byte what JSON.stringify writes for the whole envelope, with and without usage', () => {
  for (const includeUsage of [false, true]) {
    const ctx: ChunkContext = { model: 'claude-"quoted"-\u00e9', id: 'chatcmpl-1', created: 1767000000, includeUsage };
    const p = new Probe(ctx);
    for (const [delta, finish] of [
      [{ content: 'a "b"\n\u2028' }, null],
      [{ tool_calls: [{ index: 0, id: 't', type: 'function', function: { name: 'x', arguments: '{"a":1}' } }] }, null],
      [{}, 'stop'],
    ] as const) {
      const whole: Record<string, unknown> = {
        id: ctx.id,
        object: 'chat.completion.chunk',
        created: ctx.created,
        model: ctx.model,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      };
      if (includeUsage) whole.usage = null;
      assert.equal(p.one(delta, finish), `data: ${JSON.stringify(whole)}\n\n`);
    }
  }
});
