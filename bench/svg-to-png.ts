/**
 * Renders an SVG figure to a PNG with headless Chromium (Debian's, as the report test uses), so a
 * bench's chart can sit in docs/performance.md as an image.
 */
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

export async function svgToPng(html: string, file: string, width: number, height: number): Promise<void> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.setContent(html);
    writeFileSync(file, await page.screenshot({ type: 'png', fullPage: true }));
  } finally {
    await browser.close();
  }
}
