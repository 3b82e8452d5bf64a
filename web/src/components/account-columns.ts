// Column definitions of the accounts table (render functions keep AccountsView short).
import { NButton, NDropdown, NInputNumber, NPopover, NSwitch, NTag, type DataTableColumns } from 'naive-ui';
import { h } from 'vue';
import type { Account } from '../api/types';
import { fmtInt, fmtMicros, fmtPct, fmtRelative, fmtTime, fmtTokens } from '../utils/format';
import StateTag from './StateTag.vue';
import UsageBar from './UsageBar.vue';

type T = (key: string, named?: Record<string, unknown>) => string;

export interface AccountActions {
  test(a: Account): void;
  toggle(a: Account, on: boolean): void;
  edit(a: Account): void;
  priority(a: Account, p: number): void;
  more(a: Account, action: string): void;
  /** Opens the detail drawer. */
  detail?(a: Account): void;
  testing: Set<string>;
}

function reasonsCell(a: Account, t: T, now: number) {
  const reasons = a.health?.reasons ?? [];
  const first = reasons[0];
  const until = first?.until ? ` · ${t('accounts.backIn', { when: fmtRelative(first.until, now) })}` : '';
  const line = first ? `${first.message ?? first.code}${until}` : '';
  const chip = h(StateTag, { state: a.state });
  const body = h('div', { class: 'cell-health' }, [chip, line ? h('div', { class: 'muted small ellipsis', title: line }, line) : null]);
  if (reasons.length === 0) return body;
  return h(
    NPopover,
    { trigger: 'hover', placement: 'bottom-start' },
    {
      trigger: () => body,
      default: () =>
        h('div', { class: 'reasons' }, [
          h('b', t('accounts.reasons')),
          ...reasons.map((r) =>
            h('div', { class: 'reason' }, [
              h('div', `${t(`state.${r.code}`)}${r.httpStatus ? ` · HTTP ${r.httpStatus}` : ''}${r.source ? ` · ${r.source}` : ''}`),
              r.message ? h('div', { class: 'muted' }, r.message) : null,
              h('div', { class: 'muted small' }, `${fmtTime(r.since ?? null)} → ${r.until ? fmtTime(r.until) : '∞'}`),
            ]),
          ),
        ]),
    },
  );
}

function windowsCell(a: Account, t: T, now: number) {
  const ws = a.windows ?? [];
  if (ws.length === 0) return h('span', { class: 'muted' }, '—');
  return h(
    'div',
    { class: 'cell-windows' },
    ws.map((w) =>
      h(UsageBar, {
        label: w.id.replace('_', ' '),
        ratio: w.utilization,
        text: `${fmtPct(w.utilization, 0)}${w.resetsAt ? ' · ' + t('accounts.resets', { when: fmtRelative(w.resetsAt, now) }) : ''}`,
        title: w.observedAt ? t('accounts.observed', { ago: fmtRelative(w.observedAt, now) }) : undefined,
      }),
    ),
  );
}

/** Who an OAuth account signed in as (email · plan · org), else the description. */
function identityLine(a: Account): string {
  const who = [a.identity?.email, a.identity?.plan, a.identity?.org].filter(Boolean).join(' · ');
  return who || a.description;
}

/** The kind badge's colour tells the provider apart at a glance (brand-ish hues, none of the health colours). */
function kindTagColor(kind: string): { color: string; textColor: string } | undefined {
  if (kind.startsWith('anthropic')) return { color: 'rgba(201, 100, 66, 0.14)', textColor: '#c2603f' };
  if (kind.startsWith('openai')) return { color: 'rgba(16, 163, 127, 0.14)', textColor: '#0f9a78' };
  if (kind.startsWith('gemini')) return { color: 'rgba(66, 133, 244, 0.14)', textColor: '#3f7fe8' };
  return undefined;
}

export function accountColumns(t: T, te: (k: string) => boolean, act: AccountActions, now: number): DataTableColumns<Account> {
  return [
    {
      title: t('common.name'),
      key: 'name',
      minWidth: 200,
      render: (a) =>
        h('div', { class: 'cell-name' }, [
          h('div', { class: 'nm' }, [
            act.detail
              ? h(
                  'a',
                  { class: 'link', href: '#', 'data-testid': 'acc-detail', onClick: (e: MouseEvent) => (e.preventDefault(), act.detail?.(a)) },
                  h('b', a.name),
                )
              : h('b', a.name),
            h(NTag, { size: 'tiny', bordered: false, class: 'kind', color: kindTagColor(a.kind), 'data-testid': 'acc-kind-tag', 'data-kind': a.kind }, () =>
              te(`kind.${a.kind}`) ? t(`kind.${a.kind}`) : a.kind,
            ),
          ]),
          identityLine(a) ? h('div', { class: 'muted small ellipsis', title: identityLine(a) }, identityLine(a)) : null,
          a.secretHint ? h('div', { class: 'muted small mono' }, a.secretHint) : null,
        ]),
    },
    { title: t('accounts.health'), key: 'state', minWidth: 170, render: (a) => reasonsCell(a, t, now) },
    { title: t('accounts.windows'), key: 'windows', minWidth: 170, render: (a) => windowsCell(a, t, now) },
    {
      title: t('accounts.todayUsage'),
      key: 'today',
      minWidth: 150,
      render: (a) =>
        h(
          'div',
          { class: 'num small', title: `${fmtInt(a.today.totalTokens)} tokens` },
          `${fmtInt(a.today.requests)} · ${fmtTokens(a.today.totalTokens)} · ${fmtMicros(a.today.costMicros)}`,
        ),
    },
    {
      title: () => h('span', { title: t('accounts.priorityHelp') }, `${t('accounts.priority')} ↑`),
      key: 'priority',
      width: 96,
      render: (a) =>
        h(NInputNumber, {
          value: a.priority,
          size: 'tiny',
          min: 0,
          max: 1000,
          showButton: false,
          style: 'width:64px',
          onBlur: (e: FocusEvent) => {
            const v = Number((e.target as HTMLInputElement).value);
            if (Number.isInteger(v) && v !== a.priority) act.priority(a, v);
          },
        }),
    },
    {
      title: t('common.lastUsed'),
      key: 'lastUsedAt',
      minWidth: 110,
      render: (a) => h('span', { title: fmtTime(a.lastUsedAt, true) }, a.lastUsedAt ? fmtRelative(a.lastUsedAt, now) : '—'),
    },
    {
      title: t('accounts.proxy'),
      key: 'proxy',
      minWidth: 110,
      render: (a) => h('span', { class: 'small mono' }, a.proxy ? `${a.proxy.type} ${a.proxy.host}` : t('accounts.direct')),
    },
    {
      title: t('accounts.expiry'),
      key: 'expiresAt',
      minWidth: 110,
      render: (a) => {
        if (!a.expiresAt) return h('span', { class: 'muted' }, t('common.never'));
        const left = Date.parse(a.expiresAt) - now;
        return h('span', { class: left <= 0 ? 'bad' : left < 7 * 86_400_000 ? 'warn' : '', title: fmtTime(a.expiresAt) }, fmtRelative(a.expiresAt, now));
      },
    },
    {
      title: t('common.actions'),
      key: 'actions',
      fixed: 'right',
      width: 210,
      render: (a) =>
        h('div', { class: 'cell-actions' }, [
          h(NButton, { size: 'tiny', secondary: true, loading: act.testing.has(a.id), 'data-testid': 'acc-test', onClick: () => act.test(a) }, () =>
            t('accounts.test'),
          ),
          h(NSwitch, { size: 'small', value: a.schedulable, 'aria-label': t('accounts.schedulable'), 'onUpdate:value': (v: boolean) => act.toggle(a, v) }),
          h(NButton, { size: 'tiny', secondary: true, onClick: () => act.edit(a) }, () => t('common.edit')),
          h(
            NDropdown,
            {
              trigger: 'click',
              options: [
                { key: 'usage', label: t('nav.usage') },
                { key: 'requests', label: t('nav.requests') },
                { key: 'reset-health', label: t('accounts.resetHealth') },
                ...(a.kind.endsWith('oauth')
                  ? [
                      { key: 'reauthorize', label: t('accounts.reauthorize') },
                      // Only Claude's subscription usage can be asked for; Codex windows come with each answer.
                      ...(a.kind === 'anthropic-oauth' ? [{ key: 'refresh-windows', label: t('accounts.refreshWindows') }] : []),
                      { key: 'refresh-token', label: t('accounts.refreshToken') },
                    ]
                  : []),
                { key: 'delete', label: t('common.delete') },
              ],
              onSelect: (k: string) => act.more(a, k),
            },
            () => h(NButton, { size: 'tiny', quaternary: true, 'aria-label': t('common.more') }, () => '⋯'),
          ),
        ]),
    },
  ];
}
