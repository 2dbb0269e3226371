import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { ensureDemoChannels } from '../../src/demo';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/until';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('web chat in a real browser', () => {
  let t: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    t = await startTestGateway('browser');
    await ensureDemoChannels(t.gateway.store, t.config);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('answers a typed question with a cited answer, keeps history across a reload, and hands over on request', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // Shorter than the test's own timeout, so a hang fails naming the step (locator) that never appeared.
    page.setDefaultTimeout(15_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${t.url}/`);

    await page.locator('[data-sb="panel"][data-connection="open"]').waitFor();
    await page.locator('[data-sb="input"]').fill('How do I return an item?');
    await page.locator('[data-sb="send"]').click();

    const mine = page.locator('[data-sb="message"][data-author="contact"]');
    await mine.first().waitFor();
    await page.locator('[data-sb="message"][data-author="contact"][data-status="sent"]').first().waitFor();
    const answer = page.locator('[data-sb="message"][data-author="bot"]').first();
    await answer.waitFor();
    await expectText(answer, /return/i);
    const citation = answer.locator('[data-sb="citation"]').first();
    await citation.waitFor();
    expect(await citation.textContent()).toMatch(/Returns/);
    expect(await citation.getAttribute('href')).toMatch(/^https:\/\/.+#/);

    // The widget confirms what it displayed: the reply moves to delivered (or read) in the store.
    const botId = await answer.getAttribute('data-id');
    await waitForStatus(t, botId!, ['delivered', 'read']);

    // A returning visitor sees the same conversation after a reload.
    await page.reload();
    await page.locator('[data-sb="panel"][data-connection="open"]').waitFor();
    await page.locator(`[data-sb="message"][data-id="${botId}"]`).waitFor();
    expect(await page.locator('[data-sb="message"][data-author="contact"]').count()).toBe(1);

    // The "Talk to a person" button hands the conversation over.
    await page.locator('[data-sb="choice"]', { hasText: 'Talk to a person' }).last().click();
    await page.locator('[data-sb="message"][data-author="bot"]', { hasText: /member of our team/ }).waitFor();
    // The hand-off reply can reach the browser a moment before the escalation is written (inline delivery).
    const conversation = await until(t, async () => {
      const row = await t.gateway.store.models.Conversation.findOne({ channelId: 'demo' }).lean();
      return row?.status === 'pending' && row;
    });
    expect(conversation).toMatchObject({ status: 'pending', escalationReason: 'customer_request' });
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 60_000);
});

async function expectText(locator: import('playwright-core').Locator, pattern: RegExp): Promise<void> {
  expect(await locator.textContent()).toMatch(pattern);
}

async function waitForStatus(t: TestGateway, id: string, statuses: string[]): Promise<void> {
  await until(t, async () => {
    const row = await t.gateway.store.messages.get(id);
    return !!row?.delivery && statuses.includes(row.delivery.status);
  });
}
