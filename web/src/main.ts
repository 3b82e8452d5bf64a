// Entry: router, i18n, and the app shell. Styles are injected by Naive UI; a few base rules live in style.css.
import { createApp } from 'vue';
import App from './App.vue';
import { i18n } from './i18n';
import { router } from './router';
import './style.css';

createApp(App).use(i18n).use(router).mount('#app');
