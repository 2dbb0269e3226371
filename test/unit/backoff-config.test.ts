import { parseRetryAfter } from '../../adapters/http';
import { ConfigError, loadConfig } from '../../src/config';
import { retryDelayMs } from '../../src/pipeline/backoff';

describe('retry delays', () => {
  it('grow exponentially with jitter inside [ceiling/2, ceiling] and stop at the maximum', () => {
    const opts = { baseMs: 100, maxMs: 1000 };
    expect(retryDelayMs(1, opts, () => 0)).toBe(50);
    expect(retryDelayMs(1, opts, () => 1)).toBe(100);
    expect(retryDelayMs(3, opts, () => 1)).toBe(400);
    expect(retryDelayMs(10, opts, () => 1)).toBe(1000);
    expect(retryDelayMs(10, opts, () => 0)).toBe(500);
  });

  it('never retry sooner than Retry-After', () => {
    expect(retryDelayMs(1, { baseMs: 100, maxMs: 1000, retryAfterMs: 5000 }, () => 0.5)).toBe(5000);
  });

  it('read Retry-After as seconds or as an HTTP date', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('configuration', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.MONGODB_URI).toBeUndefined();
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ MONGODB_URI: 'postgres://x' }, 'MONGODB_URI'],
    [{ SWITCHBOARD_ENCRYPTION_KEY: 'short' }, 'SWITCHBOARD_ENCRYPTION_KEY'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ])('rejects %j naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`${variable}:`));
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ MONGODB_URI: '', PORT: '' }).PORT).toBe(3000);
  });
});

describe('callback signatures for integrators', () => {
  const { signCallback, verifyCallback } = require('../../adapters/api/signature') as typeof import('../../adapters/api/signature');
  const body = '{"type":"message"}';
  it('verifies a fresh signature on the exact bytes', () => {
    expect(verifyCallback('s3cret', body, signCallback('s3cret', body, 1_700_000_000), 1_700_000_100)).toBe(true);
  });
  it.each([
    ['a changed body', 's3cret', `${body} `, 1_700_000_100],
    ['another secret', 'other', body, 1_700_000_100],
    ['a stale timestamp', 's3cret', body, 1_700_000_301],
  ])('rejects %s', (_name, secret, received, now) => {
    expect(verifyCallback(secret, received, signCallback('s3cret', body, 1_700_000_000), now)).toBe(false);
  });
  it('rejects a malformed header', () => {
    expect(verifyCallback('s3cret', body, 'v1=abc', 1_700_000_000)).toBe(false);
  });
});
