import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoPauseReason } from './auto-pause.js';
import type { StoredWindow } from './usage-windows.js';

const NOW = 1_800_000_000_000;
const w5 = (utilization: number, resetsAt: number | null, observedAt = NOW): StoredWindow => ({
  id: '5h',
  utilization,
  resetsAt,
  status: 'allowed',
  observedAt,
});

test('autoPauseReason: at or above the threshold until the reset; off, under, other windows or a past reset do not pause', () => {
  const r = autoPauseReason([w5(0.9, NOW + 60_000)], 90, NOW);
  assert.deepEqual(r && [r.code, r.until, r.source], ['usage_paused', NOW + 60_000, 'operator']);
  assert.equal(autoPauseReason([w5(0.89, NOW + 60_000)], 90, NOW), null, 'under');
  assert.equal(autoPauseReason([w5(1, NOW + 60_000)], 0, NOW), null, 'off');
  assert.equal(autoPauseReason([w5(0.95, NOW - 1)], 90, NOW), null, 'the window already reset');
  assert.equal(autoPauseReason([{ ...w5(0.99, NOW + 60_000), id: '7d' }], 90, NOW), null, 'only the 5-hour window counts');
  assert.equal(autoPauseReason([w5(0.95, null, NOW - 3600_000)], 90, NOW)?.until, NOW + 4 * 3600_000, 'no reset: five hours after it was seen');
  assert.equal(autoPauseReason([w5(0.95, null, NOW - 6 * 3600_000)], 90, NOW), null);
});
