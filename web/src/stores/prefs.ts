// Browser preferences: language and theme, remembered in localStorage (never a key or a token).
import { computed, reactive, watch } from 'vue';

export type Locale = 'zh-CN' | 'en';
export type ThemeMode = 'light' | 'dark' | 'system';

const LOCALE_KEY = 'crs.locale';
const THEME_KEY = 'crs.theme';

function initialLocale(): Locale {
  const saved = localStorage.getItem(LOCALE_KEY);
  if (saved === 'zh-CN' || saved === 'en') return saved;
  const langs = navigator.languages?.length ? navigator.languages : [navigator.language];
  return langs.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

function initialTheme(): ThemeMode {
  const saved = localStorage.getItem(THEME_KEY);
  return saved === 'light' || saved === 'dark' || saved === 'system' ? saved : 'system';
}

const media = window.matchMedia('(prefers-color-scheme: dark)');

export const prefs = reactive({
  locale: initialLocale(),
  theme: initialTheme(),
  systemDark: media.matches,
});

media.addEventListener('change', (e) => (prefs.systemDark = e.matches));

export const isDark = computed(() => (prefs.theme === 'system' ? prefs.systemDark : prefs.theme === 'dark'));

watch(
  () => prefs.locale,
  (l) => {
    localStorage.setItem(LOCALE_KEY, l);
    document.documentElement.lang = l;
  },
  { immediate: true },
);
watch(
  () => prefs.theme,
  (t) => localStorage.setItem(THEME_KEY, t),
);
watch(
  isDark,
  (d) => {
    document.documentElement.dataset.theme = d ? 'dark' : 'light';
    document.documentElement.style.colorScheme = d ? 'dark' : 'light';
  },
  { immediate: true },
);
