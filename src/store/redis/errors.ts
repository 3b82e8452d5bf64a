// Redis failures as the relay's own error: a command that fails because Redis is down, hung or failing over
// (connection closed, offline, command timeout) becomes STORE_UNAVAILABLE (503, retry-after 1 s) on every surface,
// instead of an INTERNAL 500. Domain errors the repositories raise themselves (CONFLICT, …) pass unchanged.
import { isRelayError, RelayError } from '../../core/errors.js';

export function asStoreError(e: unknown): unknown {
  if (isRelayError(e)) return e;
  // The client sees the catalogue's message; the cause (addresses, ioredis wording) stays for the logs.
  return new RelayError('STORE_UNAVAILABLE', undefined, { cause: e, retryAfterSec: 1 });
}

/** The same repository, with every rejection passed through asStoreError. */
export function guardRepo<T extends object>(repo: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(repo)) {
    out[name] =
      typeof fn === 'function'
        ? async (...args: unknown[]) => {
            try {
              return await (fn as (...a: unknown[]) => unknown).apply(repo, args);
            } catch (e) {
              throw asStoreError(e);
            }
          }
        : fn;
  }
  return out as T;
}
