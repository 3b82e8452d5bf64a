// Counts failed store operations (for /metrics) without touching the backends: a wrapper that sees every
// repository call's outcome. Expected domain refusals (CONFLICT, NOT_FOUND…) are not store failures.
import { isRelayError } from '../core/errors.js';
import type { Store } from './types.js';

type Fn = (...args: unknown[]) => unknown;

function isStoreFailure(e: unknown): boolean {
  return !isRelayError(e) || e.code === 'STORE_UNAVAILABLE';
}

function counted(fn: Fn, self: object, onError: () => void): Fn {
  const seen = (e: unknown) => {
    if (isStoreFailure(e)) onError();
  };
  return (...args) => {
    let r: unknown;
    try {
      r = fn.apply(self, args);
    } catch (e) {
      seen(e);
      throw e;
    }
    // The caller handles the rejection of `r`; this branch only counts it.
    if (r instanceof Promise) r.then(undefined, seen);
    return r;
  };
}

/** Wraps the functions of `target` (own or inherited) once each, on first access. */
function wrapObject<T extends object>(target: T, onError: () => void, nested: boolean): T {
  const cache = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(t, prop) {
      const hit = cache.get(prop);
      if (hit !== undefined) return hit;
      const v: unknown = Reflect.get(t, prop, t);
      let out: unknown;
      if (typeof v === 'function') {
        // Store-level functions other than ping (publish, onChange, close) are not store round trips.
        out = nested || prop === 'ping' ? counted(v as Fn, t, onError) : (v as Fn).bind(t);
      } else if (!nested && v !== null && typeof v === 'object') {
        out = wrapObject(v, onError, true);
      } else {
        return v;
      }
      cache.set(prop, out);
      return out;
    },
  });
}

/** The same store, counting every failed repository call or ping with `onError`. */
export function instrumentStore(store: Store, onError: () => void): Store {
  return wrapObject(store, onError, false);
}
