// Column definitions of the API keys table.
import { NButton, NDropdown, NTag, NTooltip, type DataTableColumns } from 'naive-ui';
import { h } from 'vue';
import type { ApiKeyView, KeyLimitView } from '../api/types';
import { fmtInt, fmtMicros, fmtRelative, fmtTime, fmtTokens } from '../utils/format';
import CopyButton from './CopyButton.vue';
import StateTag from './StateTag.vue';
import UsageBar from './UsageBar.vue';

type T = (key: string, named?: Record<string, unknown>) => string;

export interface KeyActions {
  edit(k: ApiKeyView): void;
  menu(k: ApiKeyView, action: string): void;
  /** Opens the detail drawer. */
  detail?(k: ApiKeyView): void;
}

export function limitText(l: KeyLimitView): string {
  const money = l.kind.startsWith('cost') || l.kind === 'window_cost';
  const f = (v: number) => (money ? fmtMicros(v) : l.kind.includes('tokens') ? fmtTokens(v) : fmtInt(v));
  return `${f(l.used)} / ${f(l.limit)}`;
}

function limitsCell(k: ApiKeyView, t: T, now: number) {
  const limits = Array.isArray(k.limits) ? [...k.limits].sort((a, b) => b.ratio - a.ratio) : [];
  if (limits.length === 0) return h('span', { class: 'muted small' }, t('keys.noLimits'));
  const bars = limits.slice(0, 2).map((l) =>
    h(UsageBar, {
      label: t(`limits.${l.kind}`),
      ratio: l.ratio,
      text: limitText(l),
      title: l.resetsAt ? t('limits.resets', { when: `${fmtRelative(l.resetsAt, now)} (${fmtTime(l.resetsAt)})` }) : undefined,
    }),
  );
  if (limits.length <= 2) return h('div', { class: 'cell-limits' }, bars);
  return h(
    NTooltip,
    { trigger: 'hover' },
    {
      trigger: () => h('div', { class: 'cell-limits' }, [...bars, h('span', { class: 'muted small' }, `+${limits.length - 2}`)]),
      default: () =>
        limits.map((l) => h('div', `${t(`limits.${l.kind}`)}: ${limitText(l)}${l.resetsAt ? ` · ${t('limits.resets', { when: fmtTime(l.resetsAt) })}` : ''}`)),
    },
  );
}

export function keyColumns(t: T, act: KeyActions, now: number, deleted: boolean): DataTableColumns<ApiKeyView> {
  return [
    {
      title: t('common.name'),
      key: 'name',
      minWidth: 220,
      render: (k) =>
        h('div', { class: 'cell-name' }, [
          h('div', { class: 'nm' }, [
            act.detail
              ? h(
                  'a',
                  { class: 'link', href: '#', 'data-testid': 'key-detail', onClick: (e: MouseEvent) => (e.preventDefault(), act.detail?.(k)) },
                  h('b', { title: k.description || undefined }, k.name),
                )
              : h('b', { title: k.description || undefined }, k.name),
            ...k.tags.map((tag) => h(NTag, { size: 'tiny', bordered: false, round: true }, () => tag)),
          ]),
          h('div', { class: 'pfx' }, [
            h('code', { class: 'small', 'data-testid': 'key-prefix' }, `${k.prefix}…`),
            h(CopyButton, { text: k.prefix, size: 'tiny', label: t('common.copy') }),
          ]),
        ]),
    },
    { title: t('common.status'), key: 'status', width: 110, render: (k) => h(StateTag, { state: k.status }) },
    { title: t('keys.limits'), key: 'limits', minWidth: 190, render: (k) => limitsCell(k, t, now) },
    {
      title: t('keys.usageRange'),
      key: 'usage',
      minWidth: 170,
      render: (k) => {
        const u = k.usage;
        if (!u) return '—';
        return h(
          'span',
          { class: 'num small', title: `${fmtInt(u.totalTokens)} tokens`, 'data-testid': 'key-usage' },
          t('keys.usageCell', { req: fmtInt(u.requests), tok: fmtTokens(u.totalTokens), cost: fmtMicros(u.costMicros) }),
        );
      },
    },
    {
      title: t('common.lastUsed'),
      key: 'lastUsedAt',
      minWidth: 110,
      render: (k) => h('span', { title: fmtTime(k.lastUsedAt, true) }, k.lastUsedAt ? fmtRelative(k.lastUsedAt, now) : '—'),
    },
    {
      title: t('common.expires'),
      key: 'expiresAt',
      minWidth: 120,
      render: (k) => {
        if (!k.expiresAt) return h('span', { class: 'muted' }, t('common.never'));
        const left = Date.parse(k.expiresAt) - now;
        const cls = left <= 3 * 86_400_000 ? 'bad' : left < 7 * 86_400_000 ? 'warn' : '';
        return h('a', { class: `${cls} link`, title: fmtTime(k.expiresAt), onClick: () => act.menu(k, 'renew') }, fmtRelative(k.expiresAt, now));
      },
    },
    { title: t('common.created'), key: 'createdAt', minWidth: 130, render: (k) => h('span', { class: 'small num' }, fmtTime(k.createdAt)) },
    {
      title: t('common.actions'),
      key: 'actions',
      fixed: 'right',
      width: 130,
      render: (k) =>
        h('div', { class: 'cell-actions' }, [
          deleted
            ? h(NButton, { size: 'tiny', secondary: true, onClick: () => act.menu(k, 'restore') }, () => t('keys.restore'))
            : h(NButton, { size: 'tiny', secondary: true, onClick: () => act.edit(k) }, () => t('common.edit')),
          h(
            NDropdown,
            {
              trigger: 'click',
              options: deleted
                ? [{ key: 'purge', label: t('keys.purge') }]
                : [
                    { key: 'usage', label: t('nav.usage') },
                    { key: 'requests', label: t('nav.requests') },
                    { key: 'renew', label: t('keys.renew') },
                    { key: 'reset-counters', label: t('keys.resetCounters') },
                    { key: k.isActive ? 'disable' : 'enable', label: k.isActive ? t('keys.disable') : t('keys.enable') },
                    { key: 'delete', label: t('common.delete') },
                  ],
              onSelect: (a: string) => act.menu(k, a),
            },
            () => h(NButton, { size: 'tiny', quaternary: true, 'aria-label': t('common.more'), 'data-testid': 'key-more' }, () => '⋯'),
          ),
        ]),
    },
  ];
}
