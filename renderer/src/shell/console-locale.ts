import { createLocale, enUS } from 'naive-ui';

/**
 * Naive UI's English, without "Please Input" in every empty field: each field's label already says
 * what goes there, and a screen reader would read the filler after it.
 */
export const consoleLocale = createLocale({ Input: { placeholder: '' }, InputNumber: { placeholder: '' }, Select: { placeholder: 'Choose…' } }, enUS);
