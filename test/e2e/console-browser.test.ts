import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureDemoChannels } from '../../src/demo';
import { startTestGateway, type TestGateway } from '../support/gateway';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Set to a folder to keep screenshots of the inbox, a conversation and the playground (docs/screenshots). */
const SHOTS = process.env.CONSOLE_SCREENSHOTS;

const SKI_SERVICE = `# Ski workshop

## How much does ski waxing cost?

Our Innsbruck workshop waxes and sharpens skis and snowboards for 35 euros per pair. Drop them off Monday to
Friday between 9:00 and 18:00; they are ready to collect after 48 hours.
`;

/**
 * The console end to end in Debian's Chromium: first-run setup, sign-in, a channel, a knowledge upload asked in the
 * playground, then a customer on the demo web chat asking for a person, seen live in the inbox, claimed and
 * answered, the answer in the customer's widget, resolved, the survey in the widget. Then the role and session
 * rules as a browser meets them.
 */
describe('console in a real browser', () => {
  let t: TestGateway;
  let second: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    t = await startTestGateway('console_browser');
    await ensureDemoChannels(t.gateway.store, t.config);
    second = await startTestGateway('console_browser', { shareWith: t, startWorkers: false });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await second?.stop();
    await t?.stop();
  });

  const watch = (page: Page) => {
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.setDefaultTimeout(15_000);
    return errors;
  };
  const shot = async (page: Page, name: string) => {
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
  };

  it('from the setup link to a resolved conversation with the survey in the customer widget', async () => {
    const admin = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await admin.newPage();
    const errors = watch(page);

    // First run: the one-time setup link makes the owner and signs them in.
    const link = await t.gateway.access.tokens.createSetup(new Date(), 3_600_000);
    await page.goto(`${t.url}/console/setup#${link.token}`);
    await page.getByLabel('Your name').fill('Olga Owner');
    await page.getByLabel('Email', { exact: true }).fill('olga@example.test');
    await page.getByLabel('Password (10+ characters)').fill('a long enough password');
    await page.getByRole('button', { name: 'Create owner account' }).click();
    await page.waitForURL(/\/console\/inbox/);

    // Signing out and in again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/console\/sign-in/);
    await page.getByLabel('Email', { exact: true }).fill('olga@example.test');
    await page.getByLabel('Password', { exact: true }).fill('a long enough password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/console\/inbox/);
    await page.getByText('Nothing here').waitFor();

    // A channel: Telegram needs its bot token; the webhook URL and the next step are shown, the secret is not.
    await page.getByRole('link', { name: 'Channels' }).click();
    await page.getByRole('button', { name: 'Add channel' }).click();
    await page.getByLabel('Kind').selectOption('telegram');
    await page.getByLabel('Id (part of the webhook URL)').fill('telegram-main');
    await page.getByLabel('botToken (secret, write-only)').fill('123456:BROWSER-SECRET');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const card = page.locator('[data-channel="telegram-main"]');
    await card.waitFor();
    expect(await card.textContent()).toContain('/webhooks/telegram-main');
    expect(await page.content()).not.toContain('BROWSER-SECRET');

    // Knowledge: upload a markdown file, then ask the playground a question only it answers.
    await page.getByRole('link', { name: 'Knowledge' }).click();
    await page.getByLabel('Document (md, HTML, txt or PDF, up to 10 MB)').setInputFiles({ name: 'ski-workshop.md', mimeType: 'text/markdown', buffer: Buffer.from(SKI_SERVICE) });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByText(/ski-workshop\.md: added/).waitFor();
    await page.locator('[data-document="ski-workshop"]').waitFor();
    await page.getByLabel('Question', { exact: true }).fill('What does it cost to get my skis waxed?');
    await page.getByRole('button', { name: 'Ask' }).click();
    const result = page.locator('.playground .result');
    await result.waitFor();
    expect(await result.locator('.passages li').first().textContent()).toMatch(/Ski workshop/);
    expect(await result.getAttribute('data-decision')).toBe('answer');
    expect(await result.locator('.reply').textContent()).toMatch(/35 euros/);
    await shot(page, 'knowledge-playground');
    // Re-ingesting the folder runs as a job; the page follows it to its report.
    await page.getByRole('button', { name: 'Re-ingest the knowledge folder' }).click();
    await page.locator('.reingest[data-job="done"]').getByText(/Last re-ingest .*0 failed/).waitFor();

    // The inbox is open, empty, and live.
    await page.getByRole('link', { name: 'Inbox' }).click();
    await page.getByText('Nothing here').waitFor();

    // A customer on the demo web chat asks for a person.
    const visitor = await browser.newContext();
    const chat = await visitor.newPage();
    const chatErrors = watch(chat);
    await chat.goto(`${t.url}/`);
    await chat.locator('[data-sb="panel"][data-connection="open"]').waitFor();
    await chat.locator('[data-sb="input"]').fill('My parcel never arrived and I want to talk to a person');
    await chat.locator('[data-sb="send"]').click();
    await chat.locator('[data-sb="message"][data-author="bot"]', { hasText: /member of our team/ }).waitFor();

    // It appears in the inbox without a reload.
    const row = page.locator('table.inbox tbody tr').first();
    await row.waitFor();
    expect(await row.textContent()).toMatch(/Web chat/);
    await shot(page, 'inbox');
    await row.click();
    await page.waitForURL(/\/console\/conversations\/[0-9a-f]{24}$/);
    await page.locator('.msg-customer', { hasText: 'My parcel never arrived' }).waitFor();
    // What the brain read, and the assist.
    expect(await page.locator('.msg-customer .reading summary').first().textContent()).toMatch(/What the bot read/);
    await page.getByRole('heading', { name: 'Summary' }).waitFor();

    await page.getByRole('button', { name: 'Claim' }).click();
    await page.getByRole('status').filter({ hasText: 'Claimed.' }).waitFor();
    await page.getByLabel('Reply').fill('Hi, this is Olga. I am checking your parcel right now.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('status').filter({ hasText: 'Sent.' }).waitFor();
    // The transcript follows live: the reply shows with its delivery state.
    await page.locator('.msg-agent', { hasText: 'I am checking your parcel' }).waitFor();
    await shot(page, 'conversation');

    // The reply reaches the customer's widget, attributed.
    await chat.locator('[data-sb="message"]', { hasText: 'I am checking your parcel' }).waitFor();

    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByRole('status').filter({ hasText: 'Resolved.' }).waitFor();
    await chat.locator('[data-sb="message"]', { hasText: /How did we do/ }).waitFor();

    // The same session is served by a second gateway process (cookies are per host, not per port).
    await page.goto(`${second.url}/console/inbox?status=resolved`);
    await page.locator('table.inbox tbody tr', { hasText: 'resolved' }).waitFor();

    expect(errors).toEqual([]);
    expect(chatErrors).toEqual([]);
    await visitor.close();
    await admin.close();
  }, 120_000);

  it('keeps agents out of admin pages and sends signed-out visitors to sign-in', async () => {
    await t.gateway.access.users.create({ email: 'ada@example.test', name: 'Ada Agent', role: 'agent', password: 'agent password 1' }, new Date());
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = watch(page);

    await page.goto(`${t.url}/console/channels`);
    await page.waitForURL(/\/console\/sign-in\?next=%2Fconsole%2Fchannels/);
    await page.getByLabel('Email', { exact: true }).fill('ada@example.test');
    await page.getByLabel('Password', { exact: true }).fill('agent password 1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back to the page asked for, which an agent may not open.
    await page.getByRole('heading', { name: 'No access' }).waitFor();
    await page.goto(`${t.url}/console/inbox`);
    await page.locator('nav').getByRole('link', { name: 'Inbox' }).waitFor();
    expect(await page.locator('nav').getByRole('link', { name: 'Users' }).count()).toBe(0);
    expect(await page.locator('nav').getByRole('link', { name: 'Channels' }).count()).toBe(0);
    // Writes without the page's CSRF token are refused, even with the session cookie.
    const status = await page.evaluate(async () => (await fetch('/console/api/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' })).status);
    expect(status).toBe(403);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('is usable on a phone and from the keyboard alone', async () => {
    await t.gateway.access.users.create({ email: 'pia@example.test', name: 'Pia Phone', role: 'agent', password: 'phone password 1' }, new Date());
    // A customer waiting for a person, so there is a conversation to open.
    const visitor = await browser.newContext();
    const chat = await visitor.newPage();
    await chat.goto(`${t.url}/`);
    await chat.locator('[data-sb="panel"][data-connection="open"]').waitFor();
    await chat.locator('[data-sb="input"]').fill('I was charged twice and I want to talk to a person');
    await chat.locator('[data-sb="send"]').click();
    await chat.locator('[data-sb="message"][data-author="bot"]', { hasText: /member of our team/ }).waitFor();

    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const page = await phone.newPage();
    const errors = watch(page);
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

    // Sign in with the keyboard only: type, Tab, type, Enter.
    await page.goto(`${t.url}/console/sign-in`);
    await page.getByLabel('Email', { exact: true }).focus();
    await page.keyboard.type('pia@example.test');
    await page.keyboard.press('Tab');
    await page.keyboard.type('phone password 1');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/console\/inbox/);

    // The queue fits the screen (no sideways scrolling), and a row opens with Enter.
    const row = page.locator('table.inbox tbody tr', { hasText: 'Web chat' }).first();
    await row.waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    // Nothing in the queue is cut off either (the table clips what does not fit).
    expect(await page.evaluate(() => document.querySelector('table.inbox')!.scrollWidth - document.querySelector('table.inbox')!.clientWidth)).toBeLessThanOrEqual(0);
    expect(await row.textContent()).toMatch(/asked for a person.*normal.*billing.*Web chat.*waiting/);
    await shot(page, 'phone-inbox');
    await row.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/console\/conversations\/[0-9a-f]{24}$/);
    await page.locator('.msg-customer', { hasText: 'charged twice' }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);

    // Claim and reply from the keyboard: focus the button, Enter; the composer sends with Ctrl+Enter.
    await page.getByRole('button', { name: 'Claim' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Claimed.' }).waitFor();
    await page.getByLabel('Reply').focus();
    await page.keyboard.type('Pia here, I am refunding the second charge now.');
    await page.keyboard.press('Control+Enter');
    await page.locator('.msg-agent', { hasText: 'refunding the second charge' }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shot(page, 'phone-conversation');
    await chat.locator('[data-sb="message"]', { hasText: 'refunding the second charge' }).waitFor();

    expect(errors).toEqual([]);
    await phone.close();
    await visitor.close();
  }, 90_000);
});
