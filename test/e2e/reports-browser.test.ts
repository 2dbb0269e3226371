import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { postMessage, startTestGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/until';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = process.env.CONSOLE_SCREENSHOTS;

/** The reports page in Debian's Chromium: figures and charts from real conversations, a drill-down, an export. */
describe('reports in a real browser', () => {
  let t: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    t = await startTestGateway('reports_browser');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    // One conversation the bot resolves (confirmed by a thanks), one the customer hands to people.
    const processed = async (res: Response) => {
      const { messageId } = (await res.json()) as { messageId: string };
      await until(t, async () => (await t.gateway.store.messages.get(messageId))?.processing?.state === 'done');
    };
    await processed(await postMessage(t, { id: 'b-1', contact: { id: 'rb-1', name: 'Rosa' }, text: 'How do I start a return?' }));
    await processed(await postMessage(t, { id: 'b-2', contact: { id: 'rb-1' }, text: 'thanks, that is all' }));
    await processed(await postMessage(t, { id: 'b-3', contact: { id: 'rb-2', name: 'Ivo' }, text: 'I want to talk to a human' }));
    while (await t.gateway.reporting.tick());
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('shows the figures with a chart, opens the conversations behind one, and downloads the export', async () => {
    await t.gateway.access.users.create({ email: 'ana@example.test', name: 'Ana Analyst', role: 'analyst', password: 'analyst password 1' }, new Date());
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.setDefaultTimeout(15_000);
    await page.goto(`${t.url}/console/sign-in?next=%2Fconsole%2Freports`);
    await page.getByLabel('Email', { exact: true }).fill('ana@example.test');
    await page.getByLabel('Password', { exact: true }).fill('analyst password 1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/console\/reports/);

    const tile = (label: string) => page.locator('.tile', { hasText: label });
    await tile('Conversations').locator('.tile-value', { hasText: '2' }).waitFor();
    expect(await tile('Automation rate').locator('.tile-value').textContent()).toBe('50 %');
    expect(await tile('Hand-off rate').locator('.tile-value').textContent()).toBe('50 %');
    // The chart is drawn (uPlot's canvas, from its own lazily loaded chunk).
    await page.locator('.chart canvas').waitFor();
    await shot(page, 'reports');

    // Drill-down: the conversations behind the hand-off rate, each a link to the conversation.
    await tile('Hand-off rate').click();
    const drill = page.locator('.drill');
    await drill.locator('tbody tr').first().waitFor();
    expect(await drill.locator('tbody tr').count()).toBe(1);
    expect(await drill.locator('tbody tr').first().textContent()).toMatch(/handed off: customer_request/);
    const href = await drill.locator('tbody tr a').first().getAttribute('href');
    const conversation = await t.gateway.store.models.Conversation.findOne({ escalationReason: 'customer_request' }).lean();
    expect(href).toBe(`/console/conversations/${String(conversation!._id)}`);

    // Export: one CSV row per conversation.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(download.suggestedFilename()).toMatch(/^switchboard-conversations-.*\.csv$/);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  async function shot(page: import('playwright-core').Page, name: string) {
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }
});
