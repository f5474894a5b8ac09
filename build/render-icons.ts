// Renders resources/icon.svg to the PNG that electron-builder turns into each platform's icon
// (.ico, .icns, Linux sizes). Run by hand after changing the SVG: `node build/render-icons.ts`.
// It uses Debian's Chromium (a test peer anyway), so no image library is needed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const resources = (name: string) => fileURLToPath(new URL(`../resources/${name}`, import.meta.url));
const svg = readFileSync(resources('icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' });
try {
  const page = await browser.newPage({ viewport: { width: 1024, height: 1024 } });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('width="512" height="512"', 'width="1024" height="1024"')}</body></html>`);
  await page.locator('svg').screenshot({ path: resources('icon.png'), omitBackground: true });
} finally {
  await browser.close();
}
console.log(`Wrote ${resources('icon.png')}`);
