import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { dynamoDBEndpoint } from '../support/dynamodb.js';
import { startHoldInjector, type HoldInjector } from '../support/hold-injector.js';
import { startTestApi, type TestApi } from '../support/local-server.js';
import {
  nextOrderAnswer,
  openShopTab,
  passRetryAfter,
  pngSignature,
  readAttemptKeys,
  readListedOrders,
  readTries,
  screenshotTarget,
  type ScreenshotTarget,
} from '../support/shop-page.js';
import { waitFor } from '../support/wait-for.js';

// The shop page of `npm start` in headless Chromium, against the local server on DynamoDB Local. The functions reach
// DynamoDB through the hold injector, so a test can keep a first order's transaction running until the page shows what
// a duplicate got meanwhile. Every wait is on a page state, a response or a request count; timeouts are only a safety
// net. The page's clock stands still: its Retry-After timers fire only when a test moves the clock forward.
let injector: HoldInjector;
let api: TestApi;
let browser: Browser;
let screenshot: ScreenshotTarget;
let page: Page;
let pageErrors: string[];

// Lambda's maximum, for the function and the integration timeouts: no lease ends and no 502 or 504 comes while a test
// holds a request, however long a loaded machine takes. Retry-After, the lease's remaining time, is then about 900 s.
const longTimeoutMs = 900_000;
// Generous, for a loaded machine: the 409 case waits the 5 s a duplicate waits before its 409.
const safetyNetMs = 100_000;

beforeAll(async () => {
  injector = await startHoldInjector(dynamoDBEndpoint(), 'TransactWriteItems');
  // No fulfilment: its shipment transactions go through the same injector, and a hold would take whichever came first.
  api = await startTestApi({ dynamoDBEndpoint: injector.endpoint, functionTimeoutMs: longTimeoutMs, integrationTimeoutMs: longTimeoutMs, fulfilment: false });
  browser = await launchChromium();
  screenshot = await screenshotTarget('shop-double-click.png');
}, safetyNetMs);

afterEach(async () => {
  await page.context().close();
  // A script error would otherwise show only as a page state that never comes.
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  await browser.close();
  await api.stop();
  await injector.stop();
  await screenshot.remove();
});

async function openShop(viewport = { width: 720, height: 900 }): Promise<void> {
  ({ page, pageErrors } = await openShopTab(browser, `${api.server.url}/`, { viewport, timeoutMs: safetyNetMs }));
}
const buy = () => page.getByRole('button', { name: 'Buy' });
const count = (operation: string) => injector.seen[operation] ?? 0;
const orderIds = async () => (await api.scanOrders()).map((order) => order.orderId as string);

describe('the shop page of npm start, in Chromium', () => {
  it('double click on Buy: one order, two answers with its order id, the second a replay', async () => {
    // Arrange
    await openShop();
    await page.getByLabel('Quantity').fill('2');
    const ordersBefore = await orderIds();
    injector.hold('TransactWriteItems');
    injector.hold('GetItem');
    const transactionsBefore = count('TransactWriteItems');
    const readsBefore = count('GetItem');

    // The second click's request leaves the page only once the first one has claimed the key (it is at its transaction),
    // so the first click is the one that runs, as on a real network where the first click's request arrives first.
    let posts = 0;
    await page.route('**/orders', async (route) => {
      posts += route.request().method() === 'POST' ? 1 : 0;
      if (posts > 1) await waitFor(() => count('TransactWriteItems') > transactionsBefore);
      await route.continue();
    });

    // Act: the first click's request is held in its transaction, the second one in its first read of the record; the
    // reader goes on only once the page has the first one's 201, so it reads the completed record.
    await buy().dblclick();
    await waitFor(() => count('TransactWriteItems') > transactionsBefore && count('GetItem') > readsBefore);
    injector.release('TransactWriteItems');
    await page.locator('[data-try][data-status="201"]').waitFor();
    injector.release('GetItem');
    await page.locator('[data-try][data-state="answered"]').nth(1).waitFor();
    const listed = await readListedOrders(page, 1);
    await page.screenshot({ path: screenshot.path, fullPage: true });

    // Assert
    const tries = await readTries(page);
    const orderId = tries[0].orderId;
    expect(orderId).toEqual(expect.any(String));
    expect(tries.map(({ status, orderId }) => ({ status, orderId }))).toEqual([
      { status: '201', orderId },
      { status: '201', orderId },
    ]);
    expect(tries.map((row) => row.text.split(':')[0])).toEqual(['Try 1 (click)', 'Try 2 (click)']);
    expect(tries.map((row) => row.replayed)).toEqual(['false', 'true']);
    expect(tries[1].text).toContain('Idempotent-Replayed: true');
    expect(await readAttemptKeys(page)).toHaveLength(1);
    expect(listed).toEqual([orderId]);
    const newOrders = (await orderIds()).filter((id) => !ordersBefore.includes(id));
    expect(newOrders).toEqual([orderId]);
    const png = await readFile(screenshot.path);
    expect(png.length).toBeGreaterThan(pngSignature.length);
    expect(png.subarray(0, pngSignature.length)).toEqual(pngSignature);
  });

  it('unreliable network: one click, the first answer lost, the retry with the same key a replay; one order', async () => {
    // Arrange: at a phone's width.
    await openShop({ width: 360, height: 740 });
    await page.getByLabel('Unreliable network').check();
    const ordersBefore = await orderIds();
    const logLinesBefore = api.logLines.length;

    // Act
    await buy().click();
    await page.locator('[data-try][data-state="answered"]').waitFor();
    const listed = await readListedOrders(page, 1);

    // Assert
    const tries = await readTries(page);
    expect(tries).toMatchObject([
      { try: '1', state: 'lost' },
      { try: '2', state: 'answered', status: '201', replayed: 'true' },
    ]);
    expect(tries[1].text).toContain('retry after a lost answer');
    const orderId = tries[1].orderId;
    expect(listed).toEqual([orderId]);
    expect((await orderIds()).filter((id) => !ordersBefore.includes(id))).toEqual([orderId]);
    // The server saw both tries: the first placed the order, the second was replayed.
    const posts = api.logLines.slice(logLinesBefore).filter((line) => line.startsWith('POST /orders '));
    expect(posts).toEqual([expect.stringMatching(/^POST \/orders 201 \d+ ms$/), expect.stringMatching(/^POST \/orders 201 replayed \d+ ms$/)]);
    // Readable on a phone: nothing wider than the screen.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
  });

  it('changing the quantity after a click starts a new attempt with a new key: a second order', async () => {
    // Arrange
    await openShop();
    const ordersBefore = await orderIds();
    await buy().click();
    await page.locator('[data-try][data-state="answered"]').waitFor();

    // Act: with the keyboard only, Enter in the quantity field submits.
    const quantity = page.getByLabel('Quantity');
    await quantity.focus();
    await page.keyboard.press('ArrowUp');
    await quantity.press('Enter');
    await page.locator('[data-try][data-state="answered"]').nth(1).waitFor();
    const listed = await readListedOrders(page, 2);

    // Assert
    const keys = await readAttemptKeys(page);
    expect(keys).toHaveLength(2);
    expect(keys[0]).not.toBe(keys[1]);
    const tries = await readTries(page);
    expect(tries).toMatchObject([
      { try: '1', status: '201', replayed: 'false' },
      { try: '1', status: '201', replayed: 'false' },
    ]);
    expect(tries[0].orderId).not.toBe(tries[1].orderId);
    expect(listed).toEqual([tries[0].orderId, tries[1].orderId]);
    expect((await orderIds()).filter((id) => !ordersBefore.includes(id)).sort()).toEqual([tries[0].orderId, tries[1].orderId].sort());
    expect(await page.locator('#orders li').allTextContents()).toEqual([
      expect.stringContaining('1 × Coffee beans'),
      expect.stringContaining('2 × Coffee beans'),
    ]);
  });

  it('a 409 is retried after its Retry-After with the same key and ends in the order, replayed', async () => {
    // Arrange
    await openShop();
    const ordersBefore = await orderIds();
    injector.hold('TransactWriteItems');
    const transactionsBefore = count('TransactWriteItems');
    const conflict = nextOrderAnswer(page, 409);

    // Act: the first click's transaction is held until the second click's request has waited its 5 s and got the 409.
    await buy().click();
    await waitFor(() => count('TransactWriteItems') > transactionsBefore);
    await buy().click();
    const { retryAfterMs } = await conflict;
    await page.locator('[data-try="2"][data-status="409"]').waitFor();
    injector.release('TransactWriteItems');
    // The first click's 201 comes once its order and the key's completion have committed.
    await page.locator('[data-try="1"][data-status="201"]').waitFor();
    const { triesBeforeRetryAfter } = await passRetryAfter(page, retryAfterMs);
    await page.locator('[data-try="3"][data-state="answered"]').waitFor();
    const listed = await readListedOrders(page, 1);

    // Assert
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(triesBeforeRetryAfter).toBe(2);
    const tries = await readTries(page);
    const orderId = tries[0].orderId;
    expect(orderId).toEqual(expect.any(String));
    expect(tries).toMatchObject([
      { try: '1', status: '201', replayed: 'false', orderId },
      { try: '2', status: '409', replayed: 'false' },
      { try: '3', status: '201', replayed: 'true', orderId },
    ]);
    expect(tries[1].text).toContain(`Request with this idempotency key in progress · Retry-After: ${retryAfterMs / 1000} s`);
    expect(tries[2].text).toContain('retry after 409');
    expect(listed).toEqual([orderId]);
    expect((await orderIds()).filter((id) => !ordersBefore.includes(id))).toEqual([orderId]);
  });

  it('a 503 is retried after its Retry-After with the same key and places the order once DynamoDB is back', async () => {
    // Arrange: DynamoDB drops every claim, the SDK's retries included.
    await openShop();
    const ordersBefore = await orderIds();
    injector.cut('PutItem');
    const unavailable = nextOrderAnswer(page, 503);

    // Act
    await buy().click();
    const { retryAfterMs } = await unavailable;
    await page.locator('[data-try="1"][data-status="503"]').waitFor();
    injector.mend('PutItem');
    const { triesBeforeRetryAfter } = await passRetryAfter(page, retryAfterMs);
    await page.locator('[data-try="2"][data-state="answered"]').waitFor();
    const listed = await readListedOrders(page, 1);

    // Assert
    expect(retryAfterMs).toBe(1000);
    expect(triesBeforeRetryAfter).toBe(1);
    const tries = await readTries(page);
    const orderId = tries[1].orderId;
    expect(tries).toMatchObject([
      { try: '1', status: '503', replayed: 'false' },
      { try: '2', status: '201', replayed: 'false', orderId },
    ]);
    expect(tries[0].orderId).toBeUndefined();
    expect(tries[0].text).toContain('Retry-After: 1 s');
    expect(tries[1].text).toContain('retry after 503');
    expect(await readAttemptKeys(page)).toHaveLength(1);
    expect(listed).toEqual([orderId]);
    expect((await orderIds()).filter((id) => !ordersBefore.includes(id))).toEqual([orderId]);
  });
});
