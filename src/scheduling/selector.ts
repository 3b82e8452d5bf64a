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
  accounts: readonly A[];
  model: string;
  family: string | null;
  now: number;
  /** The API key's binding: a dedicated account, or a group. */
  binding?: { accountId?: string; groupId?: string; allowFallback?: boolean };
  stickyAccountId?: string | null;
  health(id: string): readonly HealthReason[];
  lastUsedAt(id: string): number;
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
  order: A[];
  excluded: { account: A; why: Exclusion }[];
  /** Set when the key is bound to one account that cannot serve now and the binding does not allow fallback. */
  bindingUnavailable?: { accountId: string; why: Exclusion | { code: 'missing' } };
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
  const excluded: Selection<A>['excluded'] = [];
  const binding = input.binding;
  const model = input.model.toLowerCase();
  if (binding?.accountId) {
    const a = input.accounts.find((x) => x.id === binding.accountId);
    const why = a ? exclusion(a, input, model) : null;
    if (a && !why) return { order: [a], excluded };
    if (!binding.allowFallback)
      return {
        order: [],
        excluded: a && why ? [{ account: a, why }] : [],
        bindingUnavailable: { accountId: binding.accountId, why: why ?? { code: 'missing' } },
      };
    if (a && why) excluded.push({ account: a, why });
  }
  const inScope = (a: A): Exclusion | null => {
    if (binding?.groupId) return a.groupIds.includes(binding.groupId) ? null : { code: 'not_in_group' };
    return a.shared ? null : { code: 'dedicated' };
  };
  // Each candidate's sort keys are read once (not twice per comparison: with 200 accounts the sort makes ~1,500).
  const ranked: { a: A; lastUsed: number }[] = [];
  for (const a of input.accounts) {
    if (binding?.accountId && a.id === binding.accountId) continue;
    const why = inScope(a) ?? exclusion(a, input, model);
    if (why) excluded.push({ account: a, why });
    else ranked.push({ a, lastUsed: input.lastUsedAt(a.id) });
  }
  ranked.sort(
    (x, y) => x.a.priority - y.a.priority || x.lastUsed - y.lastUsed || x.a.createdAt - y.a.createdAt || (x.a.id < y.a.id ? -1 : x.a.id > y.a.id ? 1 : 0),
  );
  const order = ranked.map((r) => r.a);
  if (input.stickyAccountId) {
    const i = order.findIndex((a) => a.id === input.stickyAccountId);
    if (i > 0) order.unshift(...order.splice(i, 1));
  }
  return { order, excluded };
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
      lastUsedAt: () => 0,
      inFlight: () => inFlight,
    },
    null,
  );
  return { routable: why === null, why };
}
