// Runtime settings: one document per section in the store (kv `settings:<section>`), cached in memory and reloaded
// on every instance when one changes (change event `settings`). Reads never touch the store. A field nobody set
// follows its default: the environment's when given at start (e.g. COOLDOWN_*_SEC), else the built-in one.
import type { z } from 'zod';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../platform/logger.js';
import type { Store } from '../store/types.js';
import { SECTION_NAMES, SECTIONS, type SectionDefaults, type SectionName, type SectionPatch, type SettingsSections } from './settings-schemas.js';

const kvKey = (name: SectionName) => `settings:${name}`;

interface Stored<N extends SectionName> {
  values: Partial<SettingsSections[N]>;
  updatedAt: number | null;
  updatedBy: string | null;
}

export interface SectionView<N extends SectionName> {
  values: SettingsSections[N];
  defaults: SettingsSections[N];
  updatedAt: string | null;
  updatedBy: string | null;
}

export class SettingsService {
  private readonly cache = new Map<SectionName, Stored<SectionName>>();
  /** What `get` returns, merged once per change (it is read several times per relayed request). */
  private readonly merged = new Map<SectionName, unknown>();
  private readonly listeners = new Set<(name: SectionName) => void>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly envDefaults: SectionDefaults = {},
  ) {
    store.onChange((e) => {
      if (e.entity === 'settings' && e.id && (SECTION_NAMES as string[]).includes(e.id)) void this.reload(e.id as SectionName);
      else if (e.entity === '*') void this.load().catch(() => undefined);
    });
  }

  /** Reads every section (start-up; after a missed broadcast). */
  async load(): Promise<void> {
    await Promise.all(SECTION_NAMES.map((n) => this.reload(n)));
  }

  /** The section's values: what an operator set, over the defaults. */
  get<N extends SectionName>(name: N): SettingsSections[N] {
    let m = this.merged.get(name) as SettingsSections[N] | undefined;
    if (!m) {
      const s = this.cache.get(name) as Stored<N> | undefined;
      // Frozen: it is shared by every reader until the section changes.
      m = Object.freeze({ ...this.defaults(name), ...(s?.values ?? {}) }) as SettingsSections[N];
      this.merged.set(name, m);
    }
    return m;
  }

  /** What the section's fields are when nobody set them. */
  defaults<N extends SectionName>(name: N): SettingsSections[N] {
    return { ...SECTIONS[name].defaults, ...(this.envDefaults[name] ?? {}) };
  }

  view<N extends SectionName>(name: N): SectionView<N> {
    const s = this.cache.get(name);
    const iso = (t: number | null | undefined) => (t ? new Date(t).toISOString() : null);
    return { values: this.get(name), defaults: this.defaults(name), updatedAt: iso(s?.updatedAt), updatedBy: s?.updatedBy ?? null };
  }

  /** Stores a change to a section (validated with `sectionPatchSchema`; null = back to the default); every instance reloads. */
  async patch<N extends SectionName>(name: N, patch: SectionPatch<N>, by: string): Promise<SectionView<N>> {
    const values: Record<string, unknown> = { ...((this.cache.get(name) as Stored<N> | undefined)?.values ?? {}) };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete values[k];
      else if (v !== undefined) values[k] = v;
    }
    const next: Stored<N> = { values: values as Partial<SettingsSections[N]>, updatedAt: this.clock.now(), updatedBy: by };
    await this.store.kv.set(kvKey(name), JSON.stringify(next));
    this.remember(name, next);
    this.store.publish({ entity: 'settings', id: name });
    return this.view(name);
  }

  /** Called after a section changed here or on another instance. */
  onChange(listener: (name: SectionName) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private remember(name: SectionName, stored: Stored<SectionName>): void {
    this.cache.set(name, stored);
    this.merged.delete(name);
  }

  private async reload(name: SectionName): Promise<void> {
    try {
      const raw = await this.store.kv.get(kvKey(name));
      this.remember(name, raw ? parseStored(name, raw) : { values: {}, updatedAt: null, updatedBy: null });
    } catch (e) {
      // The cached values stay in force until the store answers again.
      this.log.warn({ section: name, err: (e as Error).message }, 'settings not reloaded');
      return;
    }
    for (const l of this.listeners) l(name);
  }
}

/** A stored document, keeping only fields that still validate (a field whose rules tightened falls back). */
function parseStored(name: SectionName, raw: string): Stored<SectionName> {
  try {
    const doc = JSON.parse(raw) as Partial<Stored<SectionName>>;
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(doc.values ?? {})) {
      const field = SECTIONS[name].shape[k] as z.ZodType | undefined;
      if (field?.safeParse(v).success) values[k] = v;
    }
    return { values, updatedAt: doc.updatedAt ?? null, updatedBy: doc.updatedBy ?? null };
  } catch {
    return { values: {}, updatedAt: null, updatedBy: null };
  }
}
