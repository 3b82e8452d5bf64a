// ECharts option builders shared by the dashboard, usage and key-holder pages (one look for every chart).
import type { EChartsCoreOption } from 'echarts/core';
import type { Series } from '../api/types';
import { fmtBucket, fmtInt, fmtTokens, fmtUsd } from './format';

const PALETTE = ['#c96442', '#3b82f6', '#10b981', '#f59e0b', '#8b5cf6', '#ec4899', '#14b8a6', '#64748b', '#a3a3a3'];

export function valueFormatter(unit: Series['unit']): (v: number) => string {
  return unit === 'usd' ? fmtUsd : unit === 'tokens' ? fmtTokens : fmtInt;
}

/** A time series: lines for one series, stacked bars for several. */
export function seriesOption(s: Series, labelOf: (id: string, label: string) => string = (_i, l) => l): EChartsCoreOption {
  const fmt = valueFormatter(s.unit);
  const stacked = s.series.length > 1;
  return {
    color: PALETTE,
    grid: { left: 8, right: 12, top: stacked ? 36 : 16, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => fmt(v) },
    legend: stacked ? { top: 0, type: 'scroll' } : undefined,
    xAxis: { type: 'category', data: s.buckets.map((b) => fmtBucket(b.start, s.granularity)), axisTick: { show: false } },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => fmt(v) }, splitLine: { lineStyle: { opacity: 0.3 } } },
    series: s.series.map((x) => ({
      name: labelOf(x.id, x.label),
      type: stacked ? 'bar' : 'line',
      stack: stacked ? 'total' : undefined,
      smooth: false,
      showSymbol: false,
      areaStyle: stacked ? undefined : { opacity: 0.12 },
      barMaxWidth: 28,
      data: s.buckets.map((b) => b.values[x.id] ?? 0),
    })),
  };
}

/** Horizontal bars (top N by a value), labels on the left. */
export function barsOption(rows: { label: string; value: number }[], fmt: (v: number) => string): EChartsCoreOption {
  const r = [...rows].reverse();
  return {
    color: PALETTE,
    grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => fmt(v) },
    xAxis: { type: 'value', splitNumber: 3, axisLabel: { formatter: (v: number) => fmt(v), hideOverlap: true }, splitLine: { lineStyle: { opacity: 0.3 } } },
    yAxis: { type: 'category', data: r.map((x) => (x.label.length > 28 ? x.label.slice(0, 27) + '…' : x.label)), axisTick: { show: false } },
    series: [
      {
        type: 'bar',
        data: r.map((x) => x.value),
        barMaxWidth: 18,
        label: { show: true, position: 'right', formatter: (p: { value: number }) => fmt(p.value) },
      },
    ],
  };
}
