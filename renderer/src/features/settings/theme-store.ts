import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

export type ThemePreference = 'system' | 'light' | 'dark';
const KEY = 'lightkeeper.theme';
const valid = (v: string | null): v is ThemePreference => v === 'system' || v === 'light' || v === 'dark';

/** Light or dark: follows the OS unless the user picked one (remembered in localStorage; no secret). */
export const useThemeStore = defineStore('theme', () => {
  const storage = globalThis.localStorage as Storage | undefined;
  const saved = storage?.getItem(KEY) ?? null;
  const preference = ref<ThemePreference>(valid(saved) ? saved : 'system');
  watch(preference, (p) => storage?.setItem(KEY, p));
  return { preference };
});
