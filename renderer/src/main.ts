import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createConsoleRouter } from './router.ts';
import { watchNaiveAria } from './shell/naive-aria.ts';
import { reloadAfterUpgrade } from './shell/reload-after-upgrade.ts';

reloadAfterUpgrade();
const app = createApp(App);
app.use(createPinia());
app.use(createConsoleRouter());
app.mount('#app');
watchNaiveAria();
