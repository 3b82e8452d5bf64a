import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_RECORDED_MODEL_LENGTH, recordedModelName } from './model-names.js';

test('recorded model names: printable and bounded; ordinary names unchanged', () => {
  assert.equal(recordedModelName('claude-sonnet-4-5-20250929'), 'claude-sonnet-4-5-20250929');
  assert.equal(recordedModelName('us.anthropic.claude-opus-4-8-v1:0'), 'us.anthropic.claude-opus-4-8-v1:0');
  assert.equal(recordedModelName('a\u001fb\nc\u0000d\u2028e'), 'a\uFFFDb\uFFFDc\uFFFDd\uFFFDe');
  assert.equal(recordedModelName('x'.repeat(5_000_000)).length, MAX_RECORDED_MODEL_LENGTH);
  assert.equal(Array.from(recordedModelName('模'.repeat(300))).length, MAX_RECORDED_MODEL_LENGTH);
});
