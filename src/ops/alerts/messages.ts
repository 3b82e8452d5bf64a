// What each alert says, in the configured language (zh-CN or en): a headline, a few plain lines, and the
// structured data the generic JSON carries. Pure.
import type { AccountCondition, AlertEvent, AlertEventType, Severity } from './types.js';

export type AlertLanguage = 'zh-CN' | 'en';

/** A cost limit of a key (the admin API's limit kinds). */
export type CostLimitKind = 'cost_daily' | 'cost_weekly' | 'cost_total' | 'window_cost';

export type AlertInput =
  | { type: 'account_unusable'; account: { id: string; name: string; kind: string }; condition: AccountCondition; reason: string; until: number | null }
  | { type: 'account_recovered'; account: { id: string; name: string; kind: string }; condition: AccountCondition }
  | {
      type: 'key_near_limit' | 'key_limit_reached';
      key: { id: string; name: string };
      limit: CostLimitKind;
      usedUsd: number;
      limitUsd: number;
      ratio: number;
      resetsAt: number | null;
    }
  | { type: 'store_unreachable'; store: string; error: string }
  | { type: 'store_recovered'; store: string; downForMs: number }
  | { type: 'test'; channelName: string };

type Rendered = Pick<AlertEvent, 'severity' | 'subject' | 'title' | 'lines' | 'data'>;

const CONDITION: Record<AccountCondition, Record<AlertLanguage, string>> = {
  blocked: { 'zh-CN': '已被封禁（需要人工处理）', en: 'blocked (needs an operator)' },
  unauthorized: { 'zh-CN': '凭据被拒绝（未授权）', en: 'credentials rejected (unauthorized)' },
  refresh_failed: { 'zh-CN': '令牌刷新失败', en: 'token refresh failed' },
  quota_exhausted: { 'zh-CN': '额度窗口已用尽', en: 'quota window exhausted' },
};

const LIMIT: Record<CostLimitKind, Record<AlertLanguage, string>> = {
  cost_daily: { 'zh-CN': '每日费用上限', en: 'daily cost limit' },
  cost_weekly: { 'zh-CN': '每周费用上限', en: 'weekly cost limit' },
  cost_total: { 'zh-CN': '总费用上限', en: 'total cost limit' },
  window_cost: { 'zh-CN': '时间窗口费用上限', en: 'rate-window cost limit' },
};

const SEVERITY: Record<AlertEventType, Severity> = {
  account_unusable: 'critical',
  account_recovered: 'info',
  key_near_limit: 'warning',
  key_limit_reached: 'warning',
  store_unreachable: 'critical',
  store_recovered: 'info',
  test: 'info',
};

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-01-31 08:00 UTC+08:00` in the reporting time zone. */
export function localTime(t: number, offsetHours: number): string {
  const d = new Date(t + offsetHours * 3_600_000);
  const sign = offsetHours < 0 ? '-' : '+';
  const abs = Math.abs(offsetHours);
  const zone = `UTC${sign}${pad(Math.floor(abs))}:${pad(Math.round((abs % 1) * 60))}`;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} ${zone}`;
}

const usd = (n: number) => `$${n.toFixed(2)}`;

/** The headline, lines and data of an alert. */
export function render(input: AlertInput, lang: AlertLanguage, offsetHours: number): Rendered {
  const zh = lang === 'zh-CN';
  const when = (t: number) => localTime(t, offsetHours);
  const severity = SEVERITY[input.type];
  switch (input.type) {
    case 'account_unusable': {
      const state = CONDITION[input.condition][lang];
      const lines = [
        zh ? `账户：${input.account.name}（${input.account.kind}）` : `Account: ${input.account.name} (${input.account.kind})`,
        zh ? `状态：${state}` : `State: ${state}`,
        zh ? `原因：${input.reason}` : `Reason: ${input.reason}`,
      ];
      if (input.until) lines.push(zh ? `预计恢复：${when(input.until)}` : `Expected back: ${when(input.until)}`);
      return {
        severity,
        subject: { kind: 'account', id: input.account.id, name: input.account.name },
        title: zh ? `账户不可用：${input.account.name}` : `Account unusable: ${input.account.name}`,
        lines,
        data: {
          accountId: input.account.id,
          accountName: input.account.name,
          accountKind: input.account.kind,
          state: input.condition,
          reason: input.reason,
          until: input.until ? new Date(input.until).toISOString() : null,
        },
      };
    }
    case 'account_recovered':
      return {
        severity,
        subject: { kind: 'account', id: input.account.id, name: input.account.name },
        title: zh ? `账户已恢复：${input.account.name}` : `Account recovered: ${input.account.name}`,
        lines: [
          zh ? `账户：${input.account.name}（${input.account.kind}）` : `Account: ${input.account.name} (${input.account.kind})`,
          zh ? `已不再：${CONDITION[input.condition][lang]}` : `No longer: ${CONDITION[input.condition][lang]}`,
        ],
        data: { accountId: input.account.id, accountName: input.account.name, accountKind: input.account.kind, state: input.condition },
      };
    case 'key_near_limit':
    case 'key_limit_reached': {
      const what = LIMIT[input.limit][lang];
      const pct = Math.floor(input.ratio * 100);
      const hit = input.type === 'key_limit_reached';
      const lines = [
        zh ? `API Key：${input.key.name}` : `API key: ${input.key.name}`,
        zh
          ? `${what}：已用 ${usd(input.usedUsd)} / ${usd(input.limitUsd)}（${pct}%）`
          : `${what}: ${usd(input.usedUsd)} of ${usd(input.limitUsd)} used (${pct}%)`,
      ];
      if (input.resetsAt) lines.push(zh ? `重置时间：${when(input.resetsAt)}` : `Resets at: ${when(input.resetsAt)}`);
      return {
        severity,
        subject: { kind: 'key', id: input.key.id, name: input.key.name },
        title: hit
          ? zh
            ? `API Key 已达${what}：${input.key.name}`
            : `API key reached its ${what}: ${input.key.name}`
          : zh
            ? `API Key 接近${what}：${input.key.name}`
            : `API key nears its ${what}: ${input.key.name}`,
        lines,
        data: {
          keyId: input.key.id,
          keyName: input.key.name,
          limit: input.limit,
          usedUsd: input.usedUsd,
          limitUsd: input.limitUsd,
          ratio: input.ratio,
          resetsAt: input.resetsAt ? new Date(input.resetsAt).toISOString() : null,
        },
      };
    }
    case 'store_unreachable':
      return {
        severity,
        subject: { kind: 'store', name: input.store },
        title: zh ? `存储不可用（${input.store}）` : `Store unreachable (${input.store})`,
        lines: [
          zh ? `错误：${input.error}` : `Error: ${input.error}`,
          zh ? '中继请求会失败，直到存储恢复。' : 'Relayed requests fail until the store answers again.',
        ],
        data: { store: input.store, error: input.error },
      };
    case 'store_recovered':
      return {
        severity,
        subject: { kind: 'store', name: input.store },
        title: zh ? `存储已恢复（${input.store}）` : `Store recovered (${input.store})`,
        lines: [
          zh
            ? `中断约 ${Math.max(1, Math.round(input.downForMs / 1000))} 秒。`
            : `It was unreachable for about ${Math.max(1, Math.round(input.downForMs / 1000))} s.`,
        ],
        data: { store: input.store, downForMs: input.downForMs },
      };
    case 'test':
      return {
        severity,
        subject: { kind: 'test', name: input.channelName },
        title: zh ? `测试通知：${input.channelName}` : `Test notification: ${input.channelName}`,
        lines: [
          zh
            ? '这是一条来自 Claude Relay Service 的测试通知，收到即表示配置正确。'
            : 'This is a test notification from Claude Relay Service: the channel works.',
        ],
        data: { channel: input.channelName },
      };
  }
}
