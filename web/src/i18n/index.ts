// vue-i18n set up for zh-CN and en; the language follows prefs (remembered, default from the browser).
import { watch } from 'vue';
import { createI18n } from 'vue-i18n';
import { ApiError } from '../api/client';
import { prefs } from '../stores/prefs';
import en from './en';
import zhCN from './zh-CN';

export const i18n = createI18n({
  legacy: false,
  locale: prefs.locale,
  fallbackLocale: 'en',
  messages: { en, 'zh-CN': zhCN },
  missingWarn: false,
  fallbackWarn: false,
});

watch(
  () => prefs.locale,
  (l) => {
    i18n.global.locale.value = l;
  },
);

/** An error in words, in the current language: the server's stable code when we know it, else its message. */
export function errorText(e: unknown): string {
  const t = i18n.global.t;
  if (e instanceof ApiError) {
    const key = `errors.${e.code}`;
    if (i18n.global.te(key)) return t(key, { message: e.message, requestId: '' });
    return t('errors.generic', { message: e.message });
  }
  return t('errors.generic', { message: e instanceof Error ? e.message : String(e) });
}
