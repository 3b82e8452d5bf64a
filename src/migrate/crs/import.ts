// `crs import --from-crs`: the reference project's accounts (credentials opened with its ENCRYPTION_KEY and sealed
// with ours), API keys with their limits (keeping its key hash, so holders' keys keep working: keys/legacy-keys),
// account groups and bindings, and usage totals (limit counters seeded from them). Records that exist already are
// left alone unless `force`; a dry run reports the same plan and writes nothing.
import type { AccountGroup } from '../../core/account-group.js';
import { needsAdmission, type ApiKey } from '../../core/api-key.js';
import { bucketLabel } from '../../core/time-buckets.js';
import { pastUse } from '../../accounting/limits.js';
import type { Secrets } from '../../platform/secrets.js';
import { rememberLegacyKey } from '../../keys/legacy-keys.js';
import type { Store } from '../../store/types.js';
import { CrsCipher, CrsDecryptError } from './crypto.js';
import { mapAccount, type PlainAccount } from './map-accounts.js';
import { mapApiKey } from './map-keys.js';
import { usageRows, type ImportRow } from './map-usage.js';
import { readSnapshot } from './read.js';
import type { CrsKeySource } from './source.js';

export interface CrsImportOptions {
  /** The reference project's ENCRYPTION_KEY (opens its credentials; its key hashes depend on it). */
  encryptionKey: string;
  dryRun: boolean;
  /** Replace records that already exist (same id). */
  force: boolean;
  now: number;
  timezoneOffsetHours: number;
}

export type Action = 'create' | 'replace' | 'exists' | 'skip';

export interface CrsImportReport {
  source: string;
  dryRun: boolean;
  accounts: { id: string; name: string; kind: string; action: Action; reason?: string }[];
  apiKeys: { id: string; name: string; action: Action; reason?: string; usageRows: number; costUsd: number }[];
  groups: { id: string; name: string; action: Action }[];
  warnings: string[];
}

/** kv marker: this key's usage came over already (an import run again adds nothing twice). */
const usageMarker = (keyId: string) => `crs-import:usage:${keyId}`;

export async function importFromCrs(src: CrsKeySource, store: Store, secrets: Secrets, opts: CrsImportOptions): Promise<CrsImportReport> {
  const snap = await readSnapshot(src);
  const cipher = new CrsCipher(opts.encryptionKey);
  const report: CrsImportReport = { source: src.label, dryRun: opts.dryRun, accounts: [], apiKeys: [], groups: [], warnings: [] };
  const warn = (w: string) => report.warnings.push(w);
  for (const u of snap.unsupported) warn(`${u.count} ${u.type} account(s) not imported: this relay has no such account kind`);
  const action = (exists: boolean): Action => (exists ? (opts.force ? 'replace' : 'exists') : 'create');

  // Groups (kept with their ids: keys bind to `group:<id>`), and membership as the accounts' groupIds.
  const groupsOf = new Map<string, string[]>();
  const groups: AccountGroup[] = [];
  for (const g of snap.groups) {
    const name = (g.fields.name || `group ${g.id.slice(0, 8)}`).slice(0, 100);
    for (const m of g.members) groupsOf.set(m, [...(groupsOf.get(m) ?? []), g.id]);
    const a = action((await store.groups.get(g.id)) !== null);
    report.groups.push({ id: g.id, name, action: a });
    const created = Date.parse(g.fields.createdAt ?? '');
    const at = Number.isFinite(created) ? created : opts.now;
    if (a !== 'exists') groups.push({ id: g.id, name, description: (g.fields.description ?? '').slice(0, 500), createdAt: at, updatedAt: opts.now });
  }

  const accounts: PlainAccount[] = [];
  for (const a of snap.accounts) {
    let m;
    try {
      m = mapAccount(a, cipher, groupsOf.get(a.id) ?? [], opts.now);
    } catch (e) {
      if (e instanceof CrsDecryptError) throw new Error(`account ${a.id} (${a.fields.name ?? ''}): ${e.message}`);
      throw e;
    }
    if ('skip' in m) {
      report.accounts.push({ id: a.id, name: a.fields.name ?? '', kind: a.type, action: 'skip', reason: m.skip });
      continue;
    }
    m.warnings.forEach(warn);
    const act = action((await store.accounts.get(a.id)) !== null);
    report.accounts.push({ id: a.id, name: m.account.name, kind: m.account.kind, action: act });
    if (act !== 'exists') accounts.push(m.account);
  }

  const keys: { record: ApiKey; rows: ImportRow[] }[] = [];
  for (const k of snap.apiKeys) {
    const m = mapApiKey(k, opts.now);
    if ('skip' in m) {
      report.apiKeys.push({ id: k.id, name: k.fields.name ?? '', action: 'skip', reason: m.skip, usageRows: 0, costUsd: 0 });
      continue;
    }
    m.warnings.forEach(warn);
    const act = action((await store.apiKeys.get(k.id)) !== null);
    const usageDone = (await store.kv.get(usageMarker(k.id))) !== null;
    const rows = act === 'exists' || usageDone ? [] : usageRows(k, bucketLabel(m.record.createdAt, 'month', opts.timezoneOffsetHours));
    if (usageDone && act === 'replace') warn(`${m.record.name}: its usage was imported before and is not added again`);
    const cost = rows.filter((r) => r.granularity === 'month').reduce((s, r) => s + r.costNanos, 0) / 1e9;
    report.apiKeys.push({ id: k.id, name: m.record.name, action: act, usageRows: rows.length, costUsd: Math.round(cost * 1e6) / 1e6 });
    for (const b of [m.record.limits.claudeAccountId, m.record.limits.openaiAccountId, m.record.limits.geminiAccountId]) {
      if (b && !b.startsWith('group:') && !snap.accounts.some((a) => a.id === b) && !(await store.accounts.get(b)))
        warn(`${m.record.name}: bound to account ${b}, which is not in the import`);
      if (b?.startsWith('group:') && !snap.groups.some((g) => `group:${g.id}` === b)) warn(`${m.record.name}: bound to ${b}, which is not in the import`);
    }
    if (act !== 'exists') keys.push({ record: m.record, rows });
  }
  if (opts.dryRun) return report;

  // Writes: groups, accounts (sealed with this relay's key), keys, then usage and the counters it seeds.
  for (const g of groups) await store.groups.put(g);
  for (const a of accounts) {
    await store.accounts.remove(a.id);
    await store.accounts.create({ ...a, secrets: secrets.seal(JSON.stringify(a.secrets)), proxy: a.proxy ? secrets.seal(a.proxy) : null });
  }
  if (keys.length) await rememberLegacyKey(store, secrets, opts.encryptionKey, opts.now);
  for (const { record, rows } of keys) {
    await store.apiKeys.remove(record.id);
    await store.apiKeys.create(record);
    if (rows.length) {
      await store.usage.addRows(rows);
      await store.kv.set(usageMarker(record.id), String(opts.now));
    }
    if (needsAdmission(record.limits)) {
      await store.limits.seed(record.id, await pastUse((q) => store.usage.query(q), record.id, record.limits, opts.now, opts.timezoneOffsetHours));
    }
  }
  store.publish({ entity: '*' });
  return report;
}
