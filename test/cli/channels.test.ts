import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { openStore, SecretBox } from '../../conversations';
import { channelsCommand, type ChannelOptions } from '../../src/cli/channels';
import { Capture } from '../support/capture';
import { uriWithDb } from '../support/mongo-uri';
import { TelegramPeer } from '../support/telegram-peer';

describe('switchboard channels', () => {
  const uri = uriWithDb(process.env.MONGODB_URI!, `sb_test_channels_cli_${randomBytes(4).toString('hex')}`);
  const key = randomBytes(32).toString('hex');
  const env = { MONGODB_URI: uri, SWITCHBOARD_ENCRYPTION_KEY: key, PUBLIC_URL: 'https://support.shop.example', LOG_LEVEL: 'silent' };

  async function run(action: string, id?: string, opts: ChannelOptions = {}) {
    const stdout = new Capture();
    const stderr = new Capture();
    process.exitCode = undefined;
    await channelsCommand(action, id, opts, { stdout, stderr, env });
    const code = process.exitCode ?? 0;
    process.exitCode = undefined;
    return { code, out: stdout.text ? (JSON.parse(stdout.text) as Record<string, unknown>) : undefined, err: stderr.text };
  }

  /** What the gateway sees: the channel as the store decrypts it with the same key. */
  async function asGatewaySees(id: string) {
    const connection = await mongoose.createConnection(uri).asPromise();
    try {
      return await (await openStore(connection, SecretBox.fromString(key))).channels.get(id);
    } finally {
      await connection.close();
    }
  }

  afterAll(async () => {
    const connection = await mongoose.createConnection(uri).asPromise();
    await connection.dropDatabase();
    await connection.close();
  });

  it('adds a Telegram bot: names what is missing, generates the webhook secret, prints the webhook URL', async () => {
    const missing = await run('add', 'tg', { kind: 'telegram' });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('a telegram channel needs --secret botToken=…');

    const added = await run('add', 'tg', { kind: 'telegram', name: 'Shop bot', secret: ['botToken=123:ABC'], setting: ['botUsername=shop_bot'] });
    expect(added.code).toBe(0);
    expect(added.out).toMatchObject({ id: 'tg', kind: 'telegram', webhookUrl: 'https://support.shop.example/webhooks/tg', generated: { secretToken: expect.stringMatching(/^[0-9a-f]{48}$/) } });
    const channel = await asGatewaySees('tg');
    expect(channel).toMatchObject({ kind: 'telegram', name: 'Shop bot', settings: { botUsername: 'shop_bot' }, secrets: { botToken: '123:ABC', secretToken: (added.out!.generated as { secretToken: string }).secretToken } });

    expect((await run('add', 'tg', { kind: 'telegram', secret: ['botToken=x'] })).err).toContain('channel "tg" exists');
  });

  it('types settings, merges secrets on set, and never prints secret values', async () => {
    const added = await run('add', 'wa', {
      kind: 'whatsapp',
      secret: ['appSecret=s3cret', 'accessToken=EAAG'],
      setting: ['phoneNumberId=1234567890', 'reengagementTemplate={"name":"follow_up","language":"en_US"}'],
    });
    expect(added.code).toBe(0);
    expect(await run('set', 'wa', { secret: ['accessToken=EAAH'], setting: ['graphVersion=v22.0'] })).toMatchObject({ code: 0, out: { updated: ['settings.graphVersion', 'secrets.accessToken'] } });
    const channel = (await asGatewaySees('wa'))!;
    expect(channel.settings).toMatchObject({ phoneNumberId: '1234567890', graphVersion: 'v22.0', reengagementTemplate: { name: 'follow_up', language: 'en_US' } });
    expect(channel.secrets).toMatchObject({ appSecret: 's3cret', accessToken: 'EAAH', verifyToken: expect.any(String) });

    const list = await run('list');
    expect(JSON.stringify(list.out)).not.toContain('s3cret');
    const wa = (list.out as unknown as Array<{ id: string; enabled: boolean; secrets: string[] }>).find((c) => c.id === 'wa');
    expect(wa?.enabled).toBe(true);
    expect(wa?.secrets.sort()).toEqual(['accessToken', 'appSecret', 'verifyToken']);
  });

  it('adds WhatsApp on a linked phone without credentials, and disables, enables and removes channels', async () => {
    const added = await run('add', 'wa-phone', { kind: 'whatsapp', setting: ['driver=web'] });
    expect(added).toMatchObject({ code: 0, out: { next: expect.stringContaining('/admin/channels/wa-phone/whatsapp-web') } });
    expect(added.out!.generated).toBeUndefined();
    expect(await run('disable', 'wa-phone')).toMatchObject({ code: 0, out: { enabled: false } });
    expect(await asGatewaySees('wa-phone')).toBeUndefined();
    expect(await run('enable', 'wa-phone')).toMatchObject({ code: 0, out: { enabled: true } });
    expect(await asGatewaySees('wa-phone')).toMatchObject({ settings: { driver: 'web' } });
    expect(await run('remove', 'wa-phone')).toMatchObject({ code: 0, out: { removed: true } });
    expect((await run('remove', 'wa-phone')).code).toBe(2);
  });

  it('registers a Telegram webhook with the secret token, and learns the bot\'s username', async () => {
    const peer = await new TelegramPeer('42:TOKEN').start();
    try {
      await run('add', 'tg-hook', { kind: 'telegram', secret: ['botToken=42:TOKEN'], setting: [`apiBase=${peer.url}`] });
      const registered = await run('webhook', 'tg-hook');
      expect(registered).toMatchObject({ code: 0, out: { webhookUrl: 'https://support.shop.example/webhooks/tg-hook', botUsername: 'switchboard_test_bot' } });
      const channel = (await asGatewaySees('tg-hook'))!;
      expect(peer.webhook).toEqual({ url: 'https://support.shop.example/webhooks/tg-hook', secretToken: channel.secrets.secretToken, allowedUpdates: ['message', 'callback_query'] });
      expect(channel.settings.botUsername).toBe('switchboard_test_bot');

      await run('add', 'tg-bad', { kind: 'telegram', secret: ['botToken=41:WRONG'], setting: [`apiBase=${peer.url}`] });
      expect(await run('webhook', 'tg-bad')).toMatchObject({ code: 1, err: expect.stringContaining('Telegram refused') });
    } finally {
      await peer.stop();
    }
    expect(await run('webhook', 'wa')).toMatchObject({ code: 2, err: expect.stringContaining("whatsapp webhooks are set in the platform's console") });
  });

  it('refuses bad input with exit code 2 and a reason', async () => {
    expect(await run('add', 'x', { kind: 'fax' })).toMatchObject({ code: 2, err: expect.stringContaining('--kind is required: one of webchat') });
    expect(await run('add', 'bad id!', { kind: 'discord' })).toMatchObject({ code: 2, err: expect.stringContaining('a channel id is required') });
    expect(await run('add', 'd', { kind: 'discord', secret: ['novalue'] })).toMatchObject({ code: 2, err: expect.stringContaining('--secret expects key=value') });
    expect(await run('set', 'tg', { setting: ['template={broken'] })).toMatchObject({ code: 2, err: expect.stringContaining('not valid JSON') });
    expect(await run('rename', 'tg')).toMatchObject({ code: 2, err: expect.stringContaining('unknown action "rename"') });
    expect(await run('set', 'nope', { setting: ['a=b'] })).toMatchObject({ code: 2, err: 'no channel "nope"\n' });
  });
});
