import type { GlobalThemeOverrides } from 'naive-ui';

/**
 * Naive UI's default colours where they fall short of WCAG AA contrast (4.5:1 for text; found by
 * axe-core in tests/e2e/accessibility.test.ts): secondary text, empty states, waiting steps, the
 * text of coloured tags and the bars that carry a white percentage. Everything else keeps the library's look.
 */
const lightSecondary = '#5e646a'; // 6.0:1 on white (Naive's own is 4.2:1)
const darkSecondary = '#99999b'; // 6.7:1 on the dark page, 4.9:1 on a dark card's hover

export const lightThemeOverrides: GlobalThemeOverrides = {
  common: { textColor3: lightSecondary },
  Empty: { textColor: lightSecondary },
  Steps: {
    headerTextColorWait: lightSecondary,
    headerTextColorFinish: lightSecondary,
    descriptionTextColorWait: lightSecondary,
    descriptionTextColorFinish: lightSecondary,
    indicatorTextColorWait: lightSecondary,
  },
  Tag: {
    textColorSuccess: '#0e6b3b',
    textColorWarning: '#7a4d00',
    textColorError: '#a61d3a',
    textColorInfo: '#0b5cb8',
    textColorPrimary: '#0e6b3b',
  },
  // The percentage is written in white inside the bar.
  Progress: { fillColor: '#1a66c2', fillColorInfo: '#1a66c2', fillColorSuccess: '#0f7a43', fillColorWarning: '#9a6300', fillColorError: '#c0283f' },
};

export const darkThemeOverrides: GlobalThemeOverrides = {
  Empty: { textColor: darkSecondary },
  Steps: {
    headerTextColorWait: darkSecondary,
    headerTextColorFinish: darkSecondary,
    descriptionTextColorWait: darkSecondary,
    descriptionTextColorFinish: darkSecondary,
    indicatorTextColorWait: darkSecondary,
  },
};
