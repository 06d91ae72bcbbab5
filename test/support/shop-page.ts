import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';

/** One tab on the shop page, with the script errors it has met. */
export interface ShopTab {
  readonly page: Page;
  readonly pageErrors: string[];
}

// The page's fake time: it flows while the page loads, then stands still an hour later.
const pageClockStartMs = Date.parse('2026-01-01T00:00:00Z');

/**
 * Opens the shop page at `url` in a new tab whose clock is Playwright's fake one, standing still once the page has
 * loaded: a timer of the page (a retry after `Retry-After`) fires only when the test moves the clock forward.
 */
export async function openShopTab(
  browser: Browser,
  url: string,
  options: { viewport: { width: number; height: number }; timeoutMs: number },
): Promise<ShopTab> {
  const page = await browser.newPage({ viewport: options.viewport });
  page.setDefaultTimeout(options.timeoutMs);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.clock.install({ time: pageClockStartMs });
  await page.goto(url);
  await page.clock.pauseAt(pageClockStartMs + 3_600_000);
  return { page, pageErrors };
}

/** One try as the page shows it: its `data-*` attributes and its text. */
export interface TryRow {
  readonly try: string;
  readonly state: string;
  readonly status?: string;
  readonly orderId?: string;
  readonly replayed?: string;
  readonly text: string;
}

type Dataset = { readonly dataset: Record<string, string>; readonly textContent: string };

/** Every try the page shows, in the order it sent them, with what it shows of each. */
export const readTries = (page: Page): Promise<TryRow[]> =>
  page
    .locator('[data-try]')
    .evaluateAll((rows) => rows.map((row) => ({ ...(row as unknown as Dataset).dataset, text: (row as unknown as Dataset).textContent }) as TryRow));

/** The idempotency key of every attempt the page shows. */
export const readAttemptKeys = (page: Page): Promise<string[]> =>
  page.locator('[data-key]').evaluateAll((items) => items.map((item) => (item as unknown as Dataset).dataset.key));

/** The order ids the page lists as placed, once `count` of them have been read back with GET /orders/{orderId}. */
export async function readListedOrders(page: Page, count: number): Promise<string[]> {
  await page
    .locator('#orders [data-state="read"]')
    .nth(count - 1)
    .waitFor();
  return page.locator('#orders [data-order-id]').evaluateAll((items) => items.map((item) => (item as unknown as Dataset).dataset.orderId));
}

/** The next answer the page gets to `POST /orders` with `status`, and its `Retry-After` in ms. */
export async function nextOrderAnswer(page: Page, status: number): Promise<{ retryAfterMs: number }> {
  const response = await page.waitForResponse((answer) => answer.url().endsWith('/orders') && answer.status() === status);
  return { retryAfterMs: Number(response.headers()['retry-after']) * 1000 };
}

/**
 * Moves the page's clock to 1 ms short of `retryAfterMs`, counts the tries shown, then moves it the last 1 ms, so the
 * retry's timer fires. Returns the count from before: a page that retried too early shows one try more.
 */
export async function passRetryAfter(page: Page, retryAfterMs: number): Promise<{ triesBeforeRetryAfter: number }> {
  await page.clock.fastForward(retryAfterMs - 1);
  const triesBeforeRetryAfter = await page.locator('[data-try]').count();
  await page.clock.fastForward(1);
  return { triesBeforeRetryAfter };
}

/** The first bytes of every PNG file. */
export const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Where a test writes a screenshot, and how to remove what it left behind. */
export interface ScreenshotTarget {
  readonly path: string;
  remove(): Promise<void>;
}

/**
 * `docs/<name>` with `UPDATE_SCREENSHOTS=1` (to refresh the README's picture); otherwise a file in a new temporary
 * directory, so that a test run leaves the working tree clean.
 */
export async function screenshotTarget(name: string): Promise<ScreenshotTarget> {
  if (process.env.UPDATE_SCREENSHOTS === '1') return { path: fileURLToPath(new URL(`../../docs/${name}`, import.meta.url)), remove: async () => {} };
  const directory = await mkdtemp(join(tmpdir(), 'screenshot-'));
  return { path: join(directory, name), remove: () => rm(directory, { recursive: true, force: true }) };
}
