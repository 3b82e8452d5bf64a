import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUnifiedHeaders, parseUsageResponse } from './windows.js';

const P = 'anthropic-ratelimit-unified';

const headerCases = [
  {
    name: 'healthy Max account (PROTOCOLS 1.8.3 example)',
    in: {
      [`${P}-status`]: 'allowed',
      [`${P}-representative-claim`]: 'five_hour',
      [`${P}-reset`]: '1785518400',
      [`${P}-5h-status`]: 'allowed',
      [`${P}-5h-utilization`]: '0.09',
      [`${P}-5h-reset`]: '1785518400',
      [`${P}-7d-status`]: 'allowed',
      [`${P}-7d-utilization`]: '0.31',
      [`${P}-7d-reset`]: '1786006800',
      [`${P}-overage-status`]: 'rejected',
      [`${P}-fallback-percentage`]: '0.5',
    },
    out: {
      windows: [
        { id: '5h', utilization: 0.09, resetsAt: 1785518400_000, status: 'allowed' },
        { id: '7d', utilization: 0.31, resetsAt: 1786006800_000, status: 'allowed' },
      ],
      status: 'allowed',
      representativeClaim: '5h',
      resetsAt: 1785518400_000,
    },
  },
  {
    name: '5h exhausted: utilization above 1 is kept, warning/rejected mapped',
    in: {
      [`${P}-status`]: 'rejected',
      [`${P}-representative-claim`]: 'five_hour',
      [`${P}-reset`]: '1785518400',
      [`${P}-5h-status`]: 'rejected',
      [`${P}-5h-utilization`]: '1.01',
      [`${P}-5h-surpassed-threshold`]: '1.0',
      [`${P}-5h-reset`]: '1785518400',
      [`${P}-7d-status`]: 'allowed_warning',
      [`${P}-7d-utilization`]: '0.92',
      [`${P}-7d-reset`]: '1786006800',
    },
    out: {
      windows: [
        { id: '5h', utilization: 1.01, resetsAt: 1785518400_000, status: 'rejected' },
        { id: '7d', utilization: 0.92, resetsAt: 1786006800_000, status: 'warning' },
      ],
      status: 'rejected',
      representativeClaim: '5h',
      resetsAt: 1785518400_000,
    },
  },
  {
    name: 'per-model weekly windows use the underscore spelling; order is fixed',
    in: {
      [`${P}-7d_sonnet-status`]: 'allowed',
      [`${P}-7d_sonnet-utilization`]: '0.01',
      [`${P}-7d_opus-status`]: 'rejected',
      [`${P}-7d_opus-utilization`]: '1.0',
      [`${P}-7d_opus-reset`]: '1786006800',
      [`${P}-representative-claim`]: 'seven_day_opus',
    },
    out: {
      windows: [
        { id: '7d_opus', utilization: 1, resetsAt: 1786006800_000, status: 'rejected' },
        { id: '7d_sonnet', utilization: 0.01, resetsAt: null, status: 'allowed' },
      ],
      status: null,
      representativeClaim: '7d_opus',
      resetsAt: null,
    },
  },
  {
    name: 'junk values: unknown status is allowed, bad numbers are 0 / null, unknown claim kept as is',
    in: { [`${P}-5h-status`]: 'mystery', [`${P}-5h-utilization`]: 'NaN', [`${P}-5h-reset`]: '-3', [`${P}-representative-claim`]: 'overage' },
    out: { windows: [{ id: '5h', utilization: 0, resetsAt: null, status: 'allowed' }], status: null, representativeClaim: 'overage', resetsAt: null },
  },
  { name: 'API-key response (no unified headers)', in: { 'anthropic-ratelimit-requests-remaining': '10', 'request-id': 'req_1' }, out: null },
  {
    name: 'array-valued header takes the first value',
    in: { [`${P}-5h-utilization`]: ['0.5', '0.6'] },
    out: { windows: [{ id: '5h', utilization: 0.5, resetsAt: null, status: 'allowed' }], status: null, representativeClaim: null, resetsAt: null },
  },
];
for (const c of headerCases) test(`unified headers: ${c.name}`, () => assert.deepEqual(parseUnifiedHeaders(c.in), c.out));

const usageCases = [
  {
    name: 'PROTOCOLS 3.2 example: percent → fraction, ISO → ms, nulls skipped, status derived',
    in: {
      five_hour: { utilization: 24.0, resets_at: '2026-01-02T19:59:59.600956+00:00' },
      seven_day: { utilization: 95.0, resets_at: '2026-01-08T06:59:59.600974+00:00' },
      seven_day_sonnet: { utilization: 100.0, resets_at: null },
      seven_day_opus: null,
      seven_day_oauth_apps: null,
      extra_usage: { is_enabled: false },
      codename_xyz: { utilization: 3 },
    },
    out: [
      { id: '5h', utilization: 0.24, resetsAt: Date.parse('2026-01-02T19:59:59.600Z'), status: 'allowed' },
      { id: '7d', utilization: 0.95, resetsAt: Date.parse('2026-01-08T06:59:59.600Z'), status: 'warning' },
      { id: '7d_sonnet', utilization: 1, resetsAt: null, status: 'rejected' },
    ],
  },
  { name: 'not an object', in: 'nope', out: [] },
  { name: 'window without a number', in: { five_hour: { utilization: null, resets_at: null } }, out: [] },
];
for (const c of usageCases) test(`usage endpoint: ${c.name}`, () => assert.deepEqual(parseUsageResponse(c.in), c.out));
