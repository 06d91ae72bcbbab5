import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { dynamoDBEndpoint } from '../support/dynamodb.js';
import { startHoldInjector, type HoldInjector } from '../support/hold-injector.js';
import { startTestApi, type TestApi } from '../support/local-server.js';
import { waitFor } from '../support/wait-for.js';

// The shop page of `npm start` in headless Chromium, against the local server on DynamoDB Local. The functions reach
// DynamoDB through the hold injector, so a test can keep a first order's transaction running until the page shows what
// a duplicate got meanwhile. Every wait is on a page state or a request count; timeouts are only a safety net.
let injector: HoldInjector;
let api: TestApi;
let browser: Browser;
let page: Page;
let pageErrors: string[];

const screenshotPath = fileURLToPath(new URL('../../docs/shop-double-click.png', import.meta.url));
// Generous, for a loaded machine: the 409 case alone waits 5 s for the wait to end, then Retry-After.
const safetyNetMs = 100_000;

beforeAll(async () => {
  injector = await startHoldInjector(dynamoDBEndpoint(), 'TransactWriteItems');
  api = await startTestApi({ dynamoDBEndpoint: injector.endpoint });
  browser = await launchChromium();
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
});

async function openShop(viewport = { width: 720, height: 900 }): Promise<Page> {
  page = await browser.newPage({ viewport });
  page.setDefaultTimeout(safetyNetMs);
  pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${api.server.url}/`);
  return page;
}

interface TryRow {
  readonly try: string;
  readonly state: string;
  readonly status?: string;
  readonly orderId?: string;
  readonly replayed?: string;
  readonly text: string;
}

type Dataset = { readonly dataset: Record<string, string>; readonly textContent: string };

/** Every try the page shows, in the order it sent them, with what it shows of each. */
const readTries = (): Promise<TryRow[]> =>
  page
    .locator('[data-try]')
    .evaluateAll((rows) => rows.map((row) => ({ ...(row as unknown as Dataset).dataset, text: (row as unknown as Dataset).textContent }) as TryRow));
/** The idempotency key of every attempt the page shows. */
const readAttemptKeys = (): Promise<string[]> =>
  page.locator('[data-key]').evaluateAll((items) => items.map((item) => (item as unknown as Dataset).dataset.key));
/** The order ids the page lists as placed, once each has been read back with GET /orders/{orderId}. */
async function readListedOrders(count: number): Promise<string[]> {
  await page
    .locator('#orders [data-state="read"]')
    .nth(count - 1)
    .waitFor();
  return page.locator('#orders [data-order-id]').evaluateAll((items) => items.map((item) => (item as unknown as Dataset).dataset.orderId));
}
const buy = () => page.getByRole('button', { name: 'Buy' });
const count = (operation: string) => injector.seen[operation] ?? 0;
const orderIds = async () => (await api.scanOrders()).map((order) => order.orderId as string);

describe('the shop page of npm start, in Chromium', () => {
  it('double click on Buy: one order, two answers with its order id, one of them a replay', async () => {
    // Arrange
    await openShop();
    await page.getByLabel('Quantity').fill('2');
    const ordersBefore = await orderIds();
    injector.hold();
    const transactionsBefore = count('TransactWriteItems');
    const readsBefore = count('GetItem');

    // Act: whichever click's request claims the key is held in its transaction until the other one has read the record.
    await buy().dblclick();
    await waitFor(() => count('TransactWriteItems') > transactionsBefore);
    await waitFor(() => count('GetItem') > readsBefore);
    injector.release();
    await page.locator('[data-try][data-state="answered"]').nth(1).waitFor();
    const listed = await readListedOrders(1);
    await page.screenshot({ path: screenshotPath, fullPage: true });

    // Assert
    const tries = await readTries();
    const orderId = tries[0].orderId;
    expect(orderId).toEqual(expect.any(String));
    expect(tries.map(({ status, orderId }) => ({ status, orderId }))).toEqual([
      { status: '201', orderId },
      { status: '201', orderId },
    ]);
    expect(tries.map((row) => row.text.split(':')[0])).toEqual(['Try 1 (click)', 'Try 2 (click)']);
    expect(tries.map((row) => row.replayed).sort()).toEqual(['false', 'true']);
    expect(tries.find((row) => row.replayed === 'true')?.text).toContain('Idempotent-Replayed: true');
    expect(await readAttemptKeys()).toHaveLength(1);
    expect(listed).toEqual([orderId]);
    const newOrders = (await orderIds()).filter((id) => !ordersBefore.includes(id));
    expect(newOrders).toEqual([orderId]);
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
    const listed = await readListedOrders(1);

    // Assert
    const tries = await readTries();
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
    const listed = await readListedOrders(2);

    // Assert
    const keys = await readAttemptKeys();
    expect(keys).toHaveLength(2);
    expect(keys[0]).not.toBe(keys[1]);
    const tries = await readTries();
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
    injector.hold();
    const transactionsBefore = count('TransactWriteItems');

    // Act: the first click's transaction is held until the second click's request has waited its 5 s and got the 409.
    await buy().click();
    await waitFor(() => count('TransactWriteItems') > transactionsBefore);
    await buy().click();
    await page.locator('[data-try][data-status="409"]').waitFor();
    injector.release();
    await page.locator('[data-try="3"][data-state="answered"]').waitFor();
    const listed = await readListedOrders(1);

    // Assert
    const tries = await readTries();
    const orderId = tries[0].orderId;
    expect(orderId).toEqual(expect.any(String));
    expect(tries).toMatchObject([
      { try: '1', status: '201', replayed: 'false', orderId },
      { try: '2', status: '409', replayed: 'false' },
      { try: '3', status: '201', replayed: 'true', orderId },
    ]);
    expect(tries[1].text).toMatch(/Request with this idempotency key in progress.*Retry-After: \d+ s/);
    expect(tries[2].text).toContain('retry after 409');
    expect(listed).toEqual([orderId]);
    expect((await orderIds()).filter((id) => !ordersBefore.includes(id))).toEqual([orderId]);
  });
});
