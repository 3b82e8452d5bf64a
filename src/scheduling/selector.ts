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

/** Whether an account serves a model: any model when it lists none; else listed or mapped. */
export function servesModel(a: CandidateAccount, model: string): boolean {
  const mapped = Object.keys(a.modelMapping);
  if (a.supportedModels.length === 0 && mapped.length === 0) return true;
  const m = model.toLowerCase();
  return a.supportedModels.some((s) => s.toLowerCase() === m) || mapped.some((s) => s.toLowerCase() === m);
}

/** The model to send upstream for this account. */
export function upstreamModel(a: CandidateAccount, model: string): string {
  if (a.modelMapping[model] !== undefined) return a.modelMapping[model];
  const m = model.toLowerCase();
  for (const [k, v] of Object.entries(a.modelMapping)) if (k.toLowerCase() === m) return v;
  return model;
}

function exclusion<A extends CandidateAccount>(a: A, input: SelectionInput<A>, checkModel = true): Exclusion | null {
  if (!a.schedulable) return { code: 'paused' };
  if (a.expiresAt !== null && a.expiresAt <= input.now) return { code: 'expired' };
  if (checkModel && !servesModel(a, input.model)) return { code: 'model_unsupported' };
  const reasons = blockingReasons(input.health(a.id), input.now, input.family);
  if (reasons.length > 0) return { code: 'unhealthy', reasons, availableAt: availableAt(reasons) };
  if (a.maxConcurrency > 0 && input.inFlight(a.id) >= a.maxConcurrency) return { code: 'at_capacity' };
  return null;
}

export function selectAccounts<A extends CandidateAccount>(input: SelectionInput<A>): Selection<A> {
  const excluded: Selection<A>['excluded'] = [];
  const binding = input.binding;
  if (binding?.accountId) {
    const a = input.accounts.find((x) => x.id === binding.accountId);
    const why = a ? exclusion(a, input) : null;
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
  const order: A[] = [];
  for (const a of input.accounts) {
    if (binding?.accountId && a.id === binding.accountId) continue;
    const why = inScope(a) ?? exclusion(a, input);
    if (why) excluded.push({ account: a, why });
    else order.push(a);
  }
  order.sort((a, b) => a.priority - b.priority || input.lastUsedAt(a.id) - input.lastUsedAt(b.id) || a.createdAt - b.createdAt || a.id.localeCompare(b.id));
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
    false,
  );
  return { routable: why === null, why };
}
