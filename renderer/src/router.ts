import { createRouter, createWebHistory } from 'vue-router';
import ConnectPage from './features/connect/ConnectPage.vue';
import { useSessionStore } from './features/connect/session-store.ts';
import AppShell from './shell/AppShell.vue';

/**
 * Pages load on first visit (the chart library only with the dashboard). Every page but sign-in
 * needs a session; a reload signs in again from this tab's memory, else goes to sign-in and back.
 */
export function createConsoleRouter() {
  const router = createRouter({
    history: createWebHistory(),
    routes: [
      { path: '/connect', name: 'connect', component: ConnectPage, meta: { public: true, title: 'Sign in' } },
      {
        path: '/',
        component: AppShell,
        children: [
          { path: '', name: 'dashboard', component: () => import('./features/dashboard/DashboardPage.vue'), meta: { title: 'Dashboard' } },
          { path: 'tasks', name: 'tasks', component: () => import('./features/tasks/TasksPage.vue'), meta: { title: 'Tasks' } },
          { path: 'tenants', name: 'tenants', component: () => import('./features/tenants/TenantsPage.vue'), meta: { title: 'Tenants' } },
          { path: 'svms', name: 'svms', component: () => import('./features/svms/SvmsPage.vue'), meta: { title: 'SVMs' } },
          { path: 'svm-wizard', name: 'svm-wizard', component: () => import('./features/svm-wizard/SvmWizardPage.vue'), meta: { title: 'SVM Management Wizard' } },
          { path: 'diagnostics', name: 'diagnostics', component: () => import('./features/diagnostics/DiagnosticsPage.vue'), meta: { title: 'Diagnostics' } },
          { path: 'infrastructures', name: 'infrastructures', component: () => import('./features/infrastructures/InfrastructuresPage.vue'), meta: { title: 'Infrastructures' } },
          { path: 'reports', name: 'reports', component: () => import('./features/reports/ReportsPage.vue'), meta: { title: 'Protected time' } },
          { path: 'audit', name: 'audit', component: () => import('./features/audit/AuditPage.vue'), meta: { title: 'Audit log' } },
          { path: 'settings', name: 'settings', component: () => import('./features/settings/SettingsPage.vue'), meta: { title: 'Settings' } },
          { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('./shell/NotFoundPage.vue'), meta: { title: 'Not found' } },
        ],
      },
    ],
  });
  let restored = false;
  router.beforeEach(async (to) => {
    const session = useSessionStore();
    if (!session.signedIn && !restored) {
      restored = true;
      await session.restore();
    }
    if (to.meta.public || session.signedIn) return true;
    return { name: 'connect', query: to.fullPath === '/' ? {} : { next: to.fullPath } };
  });
  router.afterEach((to) => {
    document.title = `${typeof to.meta.title === 'string' ? `${to.meta.title} — ` : ''}Lightkeeper`;
  });
  return router;
}
