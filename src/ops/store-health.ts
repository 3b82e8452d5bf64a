// Whether the store answers, and how fast: what /health and the admin system page report.
import type { Store, StoreKind } from '../store/types.js';

export interface StoreStatus {
  kind: StoreKind;
  ok: boolean;
  /** Round trip in ms (two decimals); null when the store did not answer. */
  latencyMs: number | null;
  /** Why the store did not answer. */
  error?: string;
}

export class StoreHealth {
  constructor(private readonly store: Pick<Store, 'kind' | 'ping'>) {}

  get kind(): StoreKind {
    return this.store.kind;
  }

  /** Pings the store; never throws. */
  async check(): Promise<StoreStatus> {
    try {
      return { kind: this.store.kind, ok: true, latencyMs: Math.round((await this.store.ping()) * 100) / 100 };
    } catch (e) {
      return { kind: this.store.kind, ok: false, latencyMs: null, error: (e as Error).message };
    }
  }
}
