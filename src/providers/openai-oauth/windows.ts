// The ChatGPT plan's usage windows from the x-codex-* headers every backend answer carries (PROTOCOLS 3.3):
// primary = the 5-hour window, secondary = the weekly one.
import type { AccountObservation, UsageWindow } from '../types.js';

const one = (h: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

function window(h: Record<string, string | string[] | undefined>, side: 'primary' | 'secondary', now: number): UsageWindow | null {
  const used = Number(one(h, `x-codex-${side}-used-percent`));
  if (!Number.isFinite(used)) return null;
  const at = Number(one(h, `x-codex-${side}-reset-at`));
  const after = Number(one(h, `x-codex-${side}-reset-after-seconds`));
  const resetsAt = Number.isFinite(at) && at > 0 ? at * 1000 : Number.isFinite(after) && after >= 0 ? now + after * 1000 : null;
  const minutes = Number(one(h, `x-codex-${side}-window-minutes`));
  const id: UsageWindow['id'] = Number.isFinite(minutes) ? (minutes <= 300 ? '5h' : '7d') : side === 'primary' ? '5h' : '7d';
  const utilization = used / 100;
  return { id, utilization, resetsAt, status: utilization >= 1 ? 'rejected' : utilization >= 0.8 ? 'warning' : 'allowed' };
}

export function parseCodexHeaders(h: Record<string, string | string[] | undefined>, now: number): AccountObservation | null {
  const windows = [window(h, 'primary', now), window(h, 'secondary', now)].filter((w): w is UsageWindow => w !== null);
  if (!windows.length) return null;
  const binding = windows.reduce((a, b) => (b.utilization > a.utilization ? b : a));
  const status = windows.some((w) => w.status === 'rejected') ? 'rejected' : windows.some((w) => w.status === 'warning') ? 'warning' : 'allowed';
  return { windows, status, representativeClaim: binding.id, resetsAt: binding.resetsAt };
}
