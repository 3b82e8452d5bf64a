import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCodexHeaders } from './windows.js';

const NOW = Date.UTC(2026, 11, 4);

test('x-codex headers (newer reset-at form) give the 5-hour and weekly windows', () => {
  const o = parseCodexHeaders(
    {
      'x-codex-primary-used-percent': '85',
      'x-codex-primary-window-minutes': '300',
      'x-codex-primary-reset-at': String(NOW / 1000 + 600),
      'x-codex-secondary-used-percent': '9',
      'x-codex-secondary-window-minutes': '10080',
      'x-codex-secondary-reset-at': String(NOW / 1000 + 86_400),
    },
    NOW,
  );
  assert.deepEqual(o?.windows, [
    { id: '5h', utilization: 0.85, resetsAt: NOW + 600_000, status: 'warning' },
    { id: '7d', utilization: 0.09, resetsAt: NOW + 86_400_000, status: 'allowed' },
  ]);
  assert.equal(o?.status, 'warning');
  assert.equal(o?.representativeClaim, '5h');
});

test('older reset-after-seconds form, and an exhausted window is rejected', () => {
  const o = parseCodexHeaders({ 'x-codex-primary-used-percent': '100', 'x-codex-primary-reset-after-seconds': '120' }, NOW);
  assert.deepEqual(o?.windows, [{ id: '5h', utilization: 1, resetsAt: NOW + 120_000, status: 'rejected' }]);
  assert.equal(o?.status, 'rejected');
});

test('no x-codex headers: nothing observed', () => {
  assert.equal(parseCodexHeaders({ 'content-type': 'text/event-stream' }, NOW), null);
});
