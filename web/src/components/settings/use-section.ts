// One settings section in a form: loaded from /admin/settings/:section, edited as a copy, saved with PATCH (only
// the fields that changed; a field set to its default is sent as null, so it follows the default again), with a
// dirty marker and "last changed by X at T". `fields` limits a form to some of a section's fields (two cards may
// edit one section).
import { computed, ref } from 'vue';
import { api } from '../../api/client';
import { errorText } from '../../i18n';
import type { SectionView } from './types';

/** What a section's frame (SectionCard.vue) needs of it. */
export interface SectionState {
  view: { readonly value: { updatedAt: string | null; updatedBy: string | null } | null };
  busy: { readonly value: boolean };
  error: { readonly value: string };
  dirty: { readonly value: boolean };
  load(): Promise<void>;
  save(): Promise<boolean>;
}

/** Field values are numbers, strings, booleans or lists of strings (compared by content). */
const same = (a: unknown, b: unknown): boolean => a === b || (Array.isArray(a) && Array.isArray(b) && JSON.stringify(a) === JSON.stringify(b));

export function useSection<T extends object>(name: string, fields?: (keyof T & string)[]) {
  const view = ref<SectionView<T> | null>(null);
  const form = ref({} as T);
  const busy = ref(false);
  const error = ref('');
  const changed = computed(() => {
    const cur = view.value?.values as Record<string, unknown> | undefined;
    const defaults = view.value?.defaults as Record<string, unknown> | undefined;
    if (!cur) return {};
    return Object.fromEntries(
      Object.entries(form.value)
        .filter(([k, v]) => (!fields || (fields as string[]).includes(k)) && !same(cur[k], v))
        .map(([k, v]) => [k, defaults && same(defaults[k], v) ? null : v]),
    );
  });
  const dirty = computed(() => Object.keys(changed.value).length > 0);

  function apply(v: SectionView<T>): void {
    view.value = v;
    form.value = { ...v.values };
  }
  async function load(): Promise<void> {
    try {
      apply(await api.get<SectionView<T>>(`/admin/settings/${name}`));
    } catch (e) {
      error.value = errorText(e);
    }
  }
  async function save(): Promise<boolean> {
    if (!dirty.value) return true;
    busy.value = true;
    error.value = '';
    try {
      apply(await api.patch<SectionView<T>>(`/admin/settings/${name}`, changed.value));
      return true;
    } catch (e) {
      error.value = errorText(e);
      return false;
    } finally {
      busy.value = false;
    }
  }
  function reset(): void {
    if (view.value) form.value = { ...(view.value.defaults as T) };
  }
  return { view, form, busy, error, dirty, load, save, reset };
}
