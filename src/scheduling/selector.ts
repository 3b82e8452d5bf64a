// The pure selector: from the accounts a request may use, the ordered list of candidates to try, and for every
// account left out, why. Bindings first (dedicated account or group), then the sticky account, then priority and
// least recently used.
import { availableAt, blockingReasons, type HealthReason } from './health-policy.js';

export interface CandidateAccount {
  id: string;
  name: string;
  priority: number;
  schedulable: boolean;
  shared: boolean;
  groupIds: readonly string[];
  supportedModels: readonly string[];
  modelMapping: Readonly<Record<string, string>>;
  expiresAt: number | null;
  maxConcurrency: number;
  createdAt: number;
}

export interface SelectionInput<A extends CandidateAccount> {
  /** In rank order (`rankAccounts`): priority, least recently used, creation, id. */
  accounts: readonly A[];
  model: string;
  family: string | null;
  now: number;
  /** The API key's binding: a dedicated account, or a group. */
  binding?: { accountId?: string; groupId?: string; allowFallback?: boolean };
  stickyAccountId?: string | null;
  /** The account with this id, if it is among `accounts` (an O(1) lookup; a scan when absent). */
  byId?(id: string): A | undefined;
  health(id: string): readonly HealthReason[];
  inFlight(id: string): number;
}

export type Exclusion =
  | { code: 'paused' }
  | { code: 'expired' }
  | { code: 'model_unsupported' }
  | { code: 'at_capacity' }
  | { code: 'dedicated' }
  | { code: 'not_in_group' }
  | { code: 'unhealthy'; reasons: HealthReason[]; availableAt: number | null };

export interface Selection<A> {
  /**
   * The candidates in the order to try them, each checked only when asked for: a request that the first candidate
   * serves looks at one account, however large the pool (health and load are read as of the moment it asks).
   */
  candidates: IterableIterator<A>;
  /** Every account left out and why: a full pass over the pool, for the error when no candidate is left. */
  excluded(): { account: A; why: Exclusion }[];
  /** Set when the key is bound to one account that cannot serve now and the binding does not allow fallback. */
  bindingUnavailable?: { accountId: string; why: Exclusion | { code: 'missing' } };
}

/** The scheduler's order when nothing else decides: priority, then least recently used, then creation, then id. */
export function compareRank(x: CandidateAccount, xLastUsed: number, y: CandidateAccount, yLastUsed: number): number {
  return x.priority - y.priority || xLastUsed - yLastUsed || x.createdAt - y.createdAt || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
}

/** Accounts sorted by `compareRank` (the pool keeps its lists in this order as accounts are used). */
export function rankAccounts<A extends CandidateAccount>(accounts: readonly A[], lastUsedAt: (id: string) => number): A[] {
  return accounts
    .map((a) => ({ a, lastUsed: lastUsedAt(a.id) }))
    .sort((x, y) => compareRank(x.a, x.lastUsed, y.a, y.lastUsed))
    .map((r) => r.a);
}

/**
 * The lower-cased model names an account serves (listed or mapped), or null when it serves any model. Remembered per
 * account object (the pool makes new objects when accounts change): the selector asks for every account on every
 * request.
 */
const servedNames = new WeakMap<CandidateAccount, ReadonlySet<string> | null>();

function namesServed(a: CandidateAccount): ReadonlySet<string> | null {
  let names = servedNames.get(a);
  if (names === undefined) {
    const all = [...a.supportedModels, ...Object.keys(a.modelMapping)];
    names = all.length === 0 ? null : new Set(all.map((s) => s.toLowerCase()));
    servedNames.set(a, names);
  }
  return names;
}

function servesLowerCased(a: CandidateAccount, modelLower: string): boolean {
  const names = namesServed(a);
  return names === null || names.has(modelLower);
}

/** Whether an account serves a model: any model when it lists none; else listed or mapped. */
export function servesModel(a: CandidateAccount, model: string): boolean {
  return servesLowerCased(a, model.toLowerCase());
}

/** The model to send upstream for this account. */
export function upstreamModel(a: CandidateAccount, model: string): string {
  if (a.modelMapping[model] !== undefined) return a.modelMapping[model];
  const m = model.toLowerCase();
  for (const [k, v] of Object.entries(a.modelMapping)) if (k.toLowerCase() === m) return v;
  return model;
}

/** Why an account cannot take the request now, or null. `modelLower`: the request's model lower-cased, null = any. */
function exclusion<A extends CandidateAccount>(a: A, input: SelectionInput<A>, modelLower: string | null): Exclusion | null {
  if (!a.schedulable) return { code: 'paused' };
  if (a.expiresAt !== null && a.expiresAt <= input.now) return { code: 'expired' };
  if (modelLower !== null && !servesLowerCased(a, modelLower)) return { code: 'model_unsupported' };
  const health = input.health(a.id);
  if (health.length > 0) {
    const reasons = blockingReasons(health, input.now, input.family);
    if (reasons.length > 0) return { code: 'unhealthy', reasons, availableAt: availableAt(reasons) };
  }
  if (a.maxConcurrency > 0 && input.inFlight(a.id) >= a.maxConcurrency) return { code: 'at_capacity' };
  return null;
}

export function selectAccounts<A extends CandidateAccount>(input: SelectionInput<A>): Selection<A> {
  const binding = input.binding;
  const model = input.model.toLowerCase();
  const find = (id: string): A | undefined => (input.byId ? input.byId(id) : input.accounts.find((x) => x.id === id));
  const inScope = (a: A): Exclusion | null => {
    if (binding?.groupId) return a.groupIds.includes(binding.groupId) ? null : { code: 'not_in_group' };
    return a.shared ? null : { code: 'dedicated' };
  };
  const why = (a: A): Exclusion | null => inScope(a) ?? exclusion(a, input, model);
  const excludedAll = (): { account: A; why: Exclusion }[] => {
    const out: { account: A; why: Exclusion }[] = [];
    for (const a of input.accounts) {
      const w = a.id === binding?.accountId ? exclusion(a, input, model) : why(a);
      if (w) out.push({ account: a, why: w });
    }
    return out;
  };
  if (binding?.accountId) {
    const a = find(binding.accountId);
    const w = a ? exclusion(a, input, model) : null;
    if (a && !w) return { candidates: [a][Symbol.iterator](), excluded: () => [] };
    if (!binding.allowFallback) {
      const excluded = a && w ? [{ account: a, why: w }] : [];
      return {
        candidates: ([] as A[])[Symbol.iterator](),
        excluded: () => excluded,
        bindingUnavailable: { accountId: binding.accountId, why: w ?? { code: 'missing' } },
      };
    }
  }
  return { candidates: walk(input, why, find), excluded: excludedAll };
}

/** The routable accounts in rank order, the sticky one first; the bound account (already judged) is not offered. */
function* walk<A extends CandidateAccount>(
  input: SelectionInput<A>,
  why: (a: A) => Exclusion | null,
  find: (id: string) => A | undefined,
): Generator<A, void, undefined> {
  const bound = input.binding?.accountId;
  let sticky = input.stickyAccountId && input.stickyAccountId !== bound ? input.stickyAccountId : null;
  if (sticky) {
    const a = find(sticky);
    if (a && !why(a)) yield a;
    else sticky = null;
  }
  for (const a of input.accounts) if (a.id !== sticky && a.id !== bound && !why(a)) yield a;
}

/** Whether an account can take a request right now, model aside, and why not (admin view). */
export function routability(
  a: CandidateAccount,
  reasons: readonly HealthReason[],
  now: number,
  inFlight: number,
): { routable: boolean; why: Exclusion | null } {
  const why = exclusion(
    a,
    {
      accounts: [],
      model: '',
      family: null,
      now,
      health: () => reasons,
      inFlight: () => inFlight,
    },
    null,
  );
  return { routable: why === null, why };
}
