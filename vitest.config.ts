import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['tests/unit/**/*.test.ts'],
          exclude: ['tests/unit/console/components/**'],
          environment: 'node',
        },
      },
      {
        // The console's components, mounted with @vue/test-utils in happy-dom's document.
        plugins: [vue()],
        test: {
          name: 'components',
          sequence: { groupOrder: 0 },
          include: ['tests/unit/console/components/**/*.test.ts'],
          environment: 'happy-dom',
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Integration suites start real servers and peers; two cores cannot run many at once.
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One browser and one server at a time: Chromium alone wants most of two cores.
          maxWorkers: 1,
        },
      },
    ],
  },
});
