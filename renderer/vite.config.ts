import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// `vite build renderer` → renderer/dist, served by `lightkeeper serve` at /.
// `npm run dev` → Vite's dev server; /api goes to a running server (LK_SERVER, default the local
// `serve`), whose self-signed certificate the proxy accepts because it runs on this machine.
export default defineConfig({
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Vite's module-preload polyfill is an inline-free script, but no build step may add an inline one.
    modulePreload: { polyfill: false },
    // ECharts alone is ~500 kB; it is a lazy chunk loaded with the dashboard's chart, not at start.
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: {
      '/api': { target: process.env.LK_SERVER ?? 'https://127.0.0.1:7271', secure: false, changeOrigin: true },
    },
  },
});
