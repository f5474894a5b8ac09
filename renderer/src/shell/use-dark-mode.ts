import { computed } from 'vue';
import { useOsTheme } from 'naive-ui';
import { useThemeStore } from '../features/settings/theme-store.ts';

/** Dark when the user chose dark, or chose nothing and the OS is dark. */
export function useDarkMode() {
  const os = useOsTheme();
  const theme = useThemeStore();
  return computed(() => theme.preference === 'dark' || (theme.preference === 'system' && os.value === 'dark'));
}
