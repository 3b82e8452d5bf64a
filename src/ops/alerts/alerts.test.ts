// The pure parts of alerts: which conditions an account's state shows, a key limit's level, how answers read, and
// that errors and URL hints carry no secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accountConditions } from './account-watch.js';
import { urlHint } from './channels.js';
import { scrub } from './delivery.js';
import { cutBytes, readAnswer } from './formats.js';
import { limitLevel } from './key-watch.js';
import { localTime, render } from './messages.js';
import type { ResolvedChannel } from './types.js';
import type { HealthReason } from '../../scheduling/health-policy.js';

const NOW = Date.UTC(2026, 0, 10, 12);
const reason = (code: HealthReason['code'], until: number | null, extra: Partial<HealthReason> = {}): HealthReason => ({
  code,
  message: `${code} msg`,
  source: 'upstream',
  since: NOW - 1000,
  until,
  ...extra,
});

test('account conditions from health reasons and usage windows', () => {
  const cases: { name: string; reasons: HealthReason[]; windows?: Parameters<typeof accountConditions>[1]; want: string[] }[] = [
    { name: 'healthy', reasons: [], want: [] },
    { name: 'blocked', reasons: [reason('blocked', null)], want: ['blocked'] },
    { name: 'unauthorized, cooling', reasons: [reason('unauthorized', NOW + 60_000)], want: ['unauthorized'] },
    { name: 'an expired reason is over', reasons: [reason('unauthorized', NOW - 1)], want: [] },
    {
      name: 'transient reasons are not alerts',
      reasons: [reason('throttled', NOW + 5000), reason('server_error', NOW + 5000), reason('forbidden', NOW + 5000)],
      want: [],
    },
    {
      name: 'rate limited until a reset = quota exhausted',
      reasons: [reason('rate_limited', NOW + 3_600_000, { modelFamily: 'opus' })],
      want: ['quota_exhausted'],
    },
    {
      name: 'a rejected window',
      reasons: [],
      windows: [{ id: '5h', utilization: 1.02, resetsAt: NOW + 1000, status: 'rejected', observedAt: NOW }],
      want: ['quota_exhausted'],
    },
    {
      name: 'a window that already reset',
      reasons: [],
      windows: [{ id: '7d', utilization: 1, resetsAt: NOW - 1, status: 'rejected', observedAt: NOW - 5000 }],
      want: [],
    },
    {
      name: 'a warning window is not exhausted',
      reasons: [],
      windows: [{ id: '5h', utilization: 0.9, resetsAt: NOW + 1000, status: 'warning', observedAt: NOW }],
      want: [],
    },
  ];
  for (const c of cases) assert.deepEqual([...accountConditions(c.reasons, c.windows ?? [], NOW).keys()].sort(), c.want, c.name);
  assert.equal(
    accountConditions([reason('rate_limited', NOW + 10, { modelFamily: 'opus' })], [], NOW).get('quota_exhausted')?.reason,
    'rate_limited msg (opus)',
  );
});

test('a limit level: near from the percentage, hit at 100 %', () => {
  assert.equal(limitLevel({ ratio: 0.79 }, 0.8), null);
  assert.equal(limitLevel({ ratio: 0.8 }, 0.8), 'near');
  assert.equal(limitLevel({ ratio: 0.999 }, 0.8), 'near');
  assert.equal(limitLevel({ ratio: 1 }, 0.8), 'hit');
  assert.equal(limitLevel({ ratio: 3 }, 0.5), 'hit');
});

test("answers: 2xx with the robots' own error codes, retry only what may pass", () => {
  const cases: [Parameters<typeof readAnswer>, ReturnType<typeof readAnswer>][] = [
    [['wecom', 200, '{"errcode":0,"errmsg":"ok"}'], { ok: true }],
    [['wecom', 200, '{"errcode":93000,"errmsg":"invalid webhook url"}'], { ok: false, retry: false, error: 'errcode 93000: invalid webhook url' }],
    [['dingtalk', 200, '{"errcode":310000,"errmsg":"sign not match"}'], { ok: false, retry: false, error: 'errcode 310000: sign not match' }],
    [
      ['feishu', 200, '{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}'],
      { ok: false, retry: false, error: 'code 19021: sign match fail or timestamp is not within one hour from current time' },
    ],
    [['feishu', 200, '{"StatusCode":0,"StatusMessage":"success"}'], { ok: true }],
    [['telegram', 200, '{"ok":true}'], { ok: true }],
    [['bark', 200, '{"code":400,"message":"failed to get device token"}'], { ok: false, retry: false, error: 'code 400: failed to get device token' }],
    [['slack', 200, 'ok'], { ok: true }],
    [['webhook', 204, ''], { ok: true }],
    [['webhook', 500, ''], { ok: false, retry: true, error: 'HTTP 500' }],
    [['slack', 429, ''], { ok: false, retry: true, error: 'HTTP 429' }],
    [['slack', 403, 'invalid_token'], { ok: false, retry: false, error: 'HTTP 403' }],
  ];
  for (const [args, want] of cases) assert.deepEqual(readAnswer(...args), want, args.join(' '));
});

test('errors and URL hints name no secret', () => {
  const ch = {
    secrets: { url: 'https://oapi.dingtalk.com/robot/send?access_token=abcd1234', secret: 'SECxyz789', botToken: '99:tok' },
  } as unknown as ResolvedChannel;
  assert.equal(
    scrub('connect failed to https://oapi.dingtalk.com/robot/send?access_token=abcd1234 (SECxyz789)', ch),
    'connect failed to https://oapi.dingtalk.com/… (***)',
  );
  assert.equal(scrub('chat not found for 99:tok', ch), 'chat not found for ***');
  assert.equal(urlHint('https://hooks.slack.com/services/T0/B0/XXXX'), 'https://hooks.slack.com/services/…');
  assert.equal(urlHint('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k'), 'https://qyapi.weixin.qq.com/cgi-bin/…');
  assert.equal(urlHint(undefined), null);
});

test('texts: both languages, times in the reporting zone, WeCom size cap', () => {
  assert.equal(localTime(Date.UTC(2026, 0, 1, 16, 5), 8), '2026-01-02 00:05 UTC+08:00');
  const input = {
    type: 'account_unusable' as const,
    account: { id: 'a1', name: 'pool-1', kind: 'anthropic-oauth' },
    condition: 'unauthorized' as const,
    reason: 'token revoked',
    until: Date.UTC(2026, 0, 1, 16, 5),
  };
  const zh = render(input, 'zh-CN', 8);
  assert.equal(zh.title, '账户不可用：pool-1');
  assert.deepEqual(zh.lines, ['账户：pool-1（anthropic-oauth）', '状态：凭据被拒绝（未授权）', '原因：token revoked', '预计恢复：2026-01-02 00:05 UTC+08:00']);
  const en = render(input, 'en', 8);
  assert.equal(en.title, 'Account unusable: pool-1');
  assert.equal(en.severity, 'critical');
  const long = cutBytes('账'.repeat(3000), 4096);
  assert.ok(Buffer.byteLength(long) <= 4096 && long.endsWith('...'));
  assert.equal(cutBytes('short', 4096), 'short');
});
