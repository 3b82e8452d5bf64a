// crs status: is the store reachable (and which), how many keys and accounts it holds, and what the relay's own
// /health says at the configured address.
import type { Command } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { systemClock, type Clock } from '../core/clock.js';
import { openStore } from '../store/index.js';
import { CliError } from './context.js';

export interface StatusReport {
  store: { kind: string; reachable: boolean; latencyMs?: number; error?: string; location: string };
  apiKeys?: { total: number; active: number };
  accounts?: { total: number; schedulable: number };
  relay: { url: string; reachable: boolean; status?: number; health?: unknown; error?: string };
}

function storeLocation(c: Config): string {
  if (!c.redis) return `${c.dataDir}/app/relay.db`;
  if (c.redis.url) return c.redis.url.replace(/\/\/[^@/]*@/, '//***@');
  return `${c.redis.host}:${c.redis.port}/${c.redis.db} (prefix ${c.redis.keyPrefix})`;
}

async function storeStatus(c: Config, now: () => number): Promise<Pick<StatusReport, 'store' | 'apiKeys' | 'accounts'>> {
  const kind = c.redis ? 'redis' : 'sqlite';
  const location = storeLocation(c);
  let store;
  try {
    store = await openStore(c, { clock: { now } });
  } catch (e) {
    return { store: { kind, reachable: false, error: (e as Error).message, location } };
  }
  try {
    const latencyMs = Math.round((await store.ping()) * 100) / 100;
    const { items } = await store.apiKeys.list({ includeDeleted: false });
    const t = now();
    const active = items.filter((k) => k.isActive && (k.expiresAt === null || k.expiresAt > t)).length;
    const accounts = await store.accounts.list();
    return {
      store: { kind, reachable: true, latencyMs, location },
      apiKeys: { total: items.length, active },
      accounts: { total: accounts.length, schedulable: accounts.filter((a) => a.schedulable).length },
    };
  } catch (e) {
    return { store: { kind, reachable: false, error: (e as Error).message, location } };
  } finally {
    await store.close();
  }
}

async function relayStatus(c: Config): Promise<StatusReport['relay']> {
  const host = c.host === '0.0.0.0' || c.host === '::' ? '127.0.0.1' : c.host.includes(':') ? `[${c.host}]` : c.host;
  const url = `http://${host}:${c.port}/health`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    const text = await res.text();
    let health: unknown = text;
    try {
      health = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { url, reachable: true, status: res.status, health };
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    return { url, reachable: false, error: cause ?? (e as Error).message };
  }
}

function text(r: StatusReport): string {
  const lines: string[] = [];
  lines.push(
    r.store.reachable
      ? `store:    ${r.store.kind} at ${r.store.location}: reachable (${r.store.latencyMs} ms)`
      : `store:    ${r.store.kind} at ${r.store.location}: NOT reachable (${r.store.error})`,
  );
  if (r.apiKeys) lines.push(`keys:     ${r.apiKeys.total} (${r.apiKeys.active} active)`);
  if (r.accounts) lines.push(`accounts: ${r.accounts.total} (${r.accounts.schedulable} schedulable)`);
  if (r.relay.reachable) {
    const h = r.relay.health as { status?: string; version?: string; uptimeSec?: number } | string;
    const detail = typeof h === 'object' && h !== null ? `${h.status}, version ${h.version}, up ${h.uptimeSec} s` : String(h).slice(0, 80);
    lines.push(`relay:    ${r.relay.url}: HTTP ${r.relay.status} (${detail})`);
  } else lines.push(`relay:    ${r.relay.url}: not answering (${r.relay.error})`);
  return lines.join('\n');
}

export function statusCommand(program: Command, clock: Clock = systemClock): void {
  program
    .command('status')
    .description('store reachability and counts, and the running relay’s /health; exits 1 when the store is unreachable')
    .option('--json', 'JSON output')
    .action(async (o) => {
      let c: Config;
      try {
        c = loadConfig();
      } catch (e) {
        if (e instanceof ConfigError) throw new CliError(e.message);
        throw e;
      }
      const [s, relay] = await Promise.all([storeStatus(c, () => clock.now()), relayStatus(c)]);
      const report: StatusReport = { ...s, relay };
      process.stdout.write((o.json ? JSON.stringify(report, null, 2) : text(report)) + '\n');
      if (!report.store.reachable) process.exitCode = 1;
    });
}
