// Export and import of the configuration data in a store (API keys, accounts, groups, settings) as one JSON document.
// Secrets stay sealed unless the export is asked to decrypt them; relay keys are only ever HMACs, so a target
// must share the source's ENCRYPTION_KEY for them (and for sealed secrets) to work — the document carries a check.
import type { Account } from '../core/account.js';
import { groupRecord, type AccountGroup } from '../core/account-group.js';
import type { ApiKey } from '../core/api-key.js';
import { RelayError } from '../core/errors.js';
import type { Secrets } from '../platform/secrets.js';
import type { Store } from '../store/types.js';

export const EXPORT_FORMAT = 'crs-export';
export const EXPORT_VERSION = 1;
/**
 * kv namespaces of durable configuration. Entries with an expiry are runtime state (sessions, health, locks) and
 * never exported.
 */
export const SETTINGS_NAMESPACES = ['settings:'];
/**
 * Account groups (accounts and key bindings refer to them) travel among the settings as `group:<id>` entries
 * holding the group's JSON: the document format of the versions that kept them in kv.
 */
const GROUP_ENTRY = 'group:';
const KEY_CHECK_INPUT = 'crs-export-key-check';

/** An account in an export: as stored, or with `secrets` and `proxy` opened when the export was decrypted. */
export type ExportedAccount = Omit<Account, 'secrets'> & { secrets: string | Record<string, unknown> };

export interface ExportDocument {
  format: typeof EXPORT_FORMAT;
  version: number;
  exportedAt: string;
  source: { store: string; relayVersion: string };
  /** True when account secrets and proxies are plaintext. */
  decrypted: boolean;
  /** HMAC of a fixed text under the source's ENCRYPTION_KEY: tells an import whether the keys match. */
  keyCheck: string;
  apiKeys: ApiKey[];
  accounts: ExportedAccount[];
  settings: { key: string; value: string }[];
}

export interface ExportOptions {
  decrypt: boolean;
  relayVersion: string;
  now: number;
}

export async function exportData(store: Store, secrets: Secrets, opts: ExportOptions): Promise<ExportDocument> {
  const { items: apiKeys } = await store.apiKeys.list({ includeDeleted: true });
  const accounts: ExportedAccount[] = [];
  for (const a of await store.accounts.list()) {
    if (!opts.decrypt) {
      accounts.push(a);
      continue;
    }
    try {
      accounts.push({ ...a, secrets: JSON.parse(secrets.open(a.secrets)) as Record<string, unknown>, proxy: a.proxy ? secrets.open(a.proxy) : null });
    } catch (e) {
      throw new RelayError('VALIDATION_FAILED', `Account ${a.id} (${a.name}): ${(e as Error).message}`);
    }
  }
  const settings: { key: string; value: string }[] = [];
  for (const ns of SETTINGS_NAMESPACES) {
    for (const entry of await store.kv.scan(ns)) {
      if ((await store.kv.ttl(entry.key)) === Infinity) settings.push(entry);
    }
  }
  for (const g of await store.groups.list()) settings.push({ key: GROUP_ENTRY + g.id, value: JSON.stringify(groupRecord(g)) });
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: new Date(opts.now).toISOString(),
    source: { store: store.kind, relayVersion: opts.relayVersion },
    decrypted: opts.decrypt,
    keyCheck: secrets.hashApiKey(KEY_CHECK_INPUT),
    apiKeys: apiKeys.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id)),
    accounts: accounts.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id)),
    settings: settings.sort((a, b) => a.key.localeCompare(b.key)),
  };
}

export interface ImportOptions {
  /** Replace records that already exist (same id, or an API key with the same hash). */
  force: boolean;
  /** Import although the document was made under another ENCRYPTION_KEY. */
  ignoreKeyCheck: boolean;
}

export interface ImportResult {
  apiKeys: number;
  accounts: number;
  settings: number;
  replaced: number;
  warnings: string[];
}

/** Checks the shape of a parsed document; throws a VALIDATION_FAILED error naming what is wrong. */
export function parseExportDocument(value: unknown): ExportDocument {
  const doc = value as Partial<ExportDocument> | null;
  const bad = (msg: string) => new RelayError('VALIDATION_FAILED', `Not a crs export: ${msg}`);
  if (typeof doc !== 'object' || doc === null) throw bad('not a JSON object');
  if (doc.format !== EXPORT_FORMAT) throw bad(`format is ${JSON.stringify(doc.format)}, expected "${EXPORT_FORMAT}"`);
  if (doc.version !== EXPORT_VERSION) throw bad(`version ${doc.version} is not supported (this relay reads ${EXPORT_VERSION})`);
  for (const f of ['apiKeys', 'accounts', 'settings'] as const) if (!Array.isArray(doc[f])) throw bad(`${f} is not a list`);
  if (typeof doc.keyCheck !== 'string') throw bad('keyCheck is missing');
  for (const k of doc.apiKeys!) if (typeof k?.id !== 'string' || typeof k.hash !== 'string') throw bad('an API key lacks id or hash');
  for (const a of doc.accounts!) if (typeof a?.id !== 'string' || typeof a.kind !== 'string') throw bad('an account lacks id or kind');
  for (const s of doc.settings!) {
    if (typeof s?.key !== 'string' || typeof s.value !== 'string') throw bad('a setting lacks key or value');
    if (s.key.startsWith(GROUP_ENTRY) && !groupOf(s)) throw bad(`${s.key} is not an account group`);
  }
  return doc as ExportDocument;
}

/** The group a `group:<id>` settings entry holds (the id is the entry's), or null when it holds none. */
function groupOf(s: { key: string; value: string }): AccountGroup | null {
  let v: Partial<AccountGroup> | null;
  try {
    v = JSON.parse(s.value) as Partial<AccountGroup> | null;
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || typeof v.name !== 'string') return null;
  const id = s.key.slice(GROUP_ENTRY.length);
  return {
    id,
    name: v.name,
    description: typeof v.description === 'string' ? v.description : '',
    createdAt: Number(v.createdAt) || 0,
    updatedAt: Number(v.updatedAt) || 0,
  };
}

/** Finds records of the document that already exist in the store. */
async function conflicts(store: Store, doc: ExportDocument): Promise<string[]> {
  const found: string[] = [];
  for (const k of doc.apiKeys) {
    if (await store.apiKeys.get(k.id)) found.push(`API key ${k.id} (${k.name})`);
    else if (await store.apiKeys.getByHash(k.hash)) found.push(`API key ${k.id} (${k.name}): the same key exists under another id`);
  }
  for (const a of doc.accounts) if (await store.accounts.get(a.id)) found.push(`account ${a.id} (${a.name})`);
  for (const s of doc.settings) {
    const group = s.key.startsWith(GROUP_ENTRY) ? groupOf(s) : null;
    if (group) {
      const cur = await store.groups.get(group.id);
      if (cur !== null && JSON.stringify(groupRecord(cur)) !== JSON.stringify(group)) found.push(`setting ${s.key}`);
      continue;
    }
    const cur = await store.kv.get(s.key);
    if (cur !== null && cur !== s.value) found.push(`setting ${s.key}`);
  }
  return found;
}

export async function importData(store: Store, secrets: Secrets, doc: ExportDocument, opts: ImportOptions): Promise<ImportResult> {
  const warnings: string[] = [];
  const sameKey = doc.keyCheck === secrets.hashApiKey(KEY_CHECK_INPUT);
  if (!sameKey) {
    const what = doc.decrypted ? 'its relay API keys' : 'its relay API keys and sealed account secrets';
    if (!opts.ignoreKeyCheck) {
      throw new RelayError(
        'CONFLICT',
        `The export was made under a different ENCRYPTION_KEY: ${what} would not work here. ` +
          'Use the source ENCRYPTION_KEY, or pass --ignore-key-check to import anyway.',
      );
    }
    warnings.push(`ENCRYPTION_KEY differs from the source: ${what} will not work`);
  }
  const found = await conflicts(store, doc);
  if (found.length > 0 && !opts.force) {
    const list = found
      .slice(0, 10)
      .map((f) => `  - ${f}`)
      .join('\n');
    throw new RelayError(
      'CONFLICT',
      `${found.length} record(s) already exist; nothing was imported (pass --force to replace them):\n${list}${found.length > 10 ? '\n  …' : ''}`,
    );
  }
  for (const k of doc.apiKeys) {
    const byHash = await store.apiKeys.getByHash(k.hash);
    if (byHash) await store.apiKeys.remove(byHash.id);
    await store.apiKeys.remove(k.id);
    await store.apiKeys.create(k);
  }
  for (const a of doc.accounts) {
    const record: Account = doc.decrypted
      ? { ...a, secrets: secrets.seal(JSON.stringify(a.secrets)), proxy: a.proxy ? secrets.seal(a.proxy) : null }
      : (a as Account);
    await store.accounts.remove(a.id);
    await store.accounts.create(record);
  }
  for (const s of doc.settings) {
    const group = s.key.startsWith(GROUP_ENTRY) ? groupOf(s) : null;
    if (group) await store.groups.put(group);
    else await store.kv.set(s.key, s.value);
  }
  store.publish({ entity: '*' });
  return { apiKeys: doc.apiKeys.length, accounts: doc.accounts.length, settings: doc.settings.length, replaced: found.length, warnings };
}
