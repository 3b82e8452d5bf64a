// Routes under /web (history mode; the relay falls back to index.html). Admin routes need a session: a missing
// one goes to /login with `from`, so the admin lands back where they were.
import { createRouter, createWebHistory } from 'vue-router';
import { probeSession, session } from './stores/session';

export const router = createRouter({
  history: createWebHistory('/web/'),
  routes: [
    { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
    { path: '/stats', name: 'stats', component: () => import('./views/StatsView.vue'), meta: { public: true } },
    {
      path: '/',
      component: () => import('./layouts/AdminLayout.vue'),
      children: [
        { path: '', name: 'dashboard', component: () => import('./views/DashboardView.vue') },
        { path: 'accounts', name: 'accounts', component: () => import('./views/AccountsView.vue') },
        { path: 'keys', name: 'keys', component: () => import('./views/KeysView.vue') },
        { path: 'usage', name: 'usage', component: () => import('./views/UsageView.vue') },
        { path: 'requests', name: 'requests', component: () => import('./views/RequestsView.vue') },
        { path: 'settings', name: 'settings', component: () => import('./views/SettingsView.vue') },
        { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue') },
      ],
    },
  ],
});

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  if (!session.checked || !session.user) await probeSession();
  if (!session.user) return { name: 'login', query: to.fullPath !== '/' ? { from: to.fullPath } : {} };
  return true;
});
