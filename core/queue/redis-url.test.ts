import { describe, expect, it } from 'vitest';
import { parseQueueUrl, redactSecret, redisOptions } from './redis-url';

describe('queue URL', () => {
  it('reads host, port, db, user and password, and shows the address without the password', () => {
    const a = parseQueueUrl('redis://alice:s3cr%40t@lab-box.local:6380/2', {});
    expect(a).toMatchObject({ tls: false, host: 'lab-box.local', port: 6380, db: 2, username: 'alice', password: 's3cr@t', redacted: 'redis://alice:***@lab-box.local:6380/2' });
    expect(parseQueueUrl('rediss://:pw@10.0.0.5', {})).toMatchObject({ tls: true, port: 6379, db: 0, username: null, password: 'pw', redacted: 'rediss://:***@10.0.0.5' });
    expect(parseQueueUrl('redis://[::1]:7000', {})).toMatchObject({ host: '::1', port: 7000, password: null, redacted: 'redis://[::1]:7000' });
  });

  it('takes the password from the environment when the URL has none', () => {
    const a = parseQueueUrl('redis://127.0.0.1:6379', { ALIGNAHEAD_REDIS_PASSWORD: 'from-env' });
    expect(a.password).toBe('from-env');
    expect(a.redacted).toBe('redis://127.0.0.1:6379');
    expect(redisOptions(a, {})).toMatchObject({ host: '127.0.0.1', port: 6379, password: 'from-env', maxRetriesPerRequest: null });
    expect(redisOptions(parseQueueUrl('rediss://h:1', {}), {}).tls).toEqual({});
  });

  it('refuses what is not a redis URL, without echoing a password', () => {
    expect(() => parseQueueUrl('http://h:1', {})).toThrow(/unsupported scheme 'http:'/);
    expect(() => parseQueueUrl('redis://h:1/99', {})).toThrow(/database 99/);
    expect(() => parseQueueUrl('redis://h:1/x', {})).toThrow(/database 'x'/);
    expect(() => parseQueueUrl('redis://h:1?tls=1', {})).toThrow(/no query/);
    let message = '';
    try {
      parseQueueUrl('redis://u:hunter2@', {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/not a URL|no host/);
    expect(message).not.toContain('hunter2');
  });

  it('scrubs the password from any text, raw or URL-encoded', () => {
    const a = parseQueueUrl('redis://:p%2Fw@h:1', {});
    expect(redactSecret('auth p/w failed, url redis://:p%2Fw@h:1, again p/w', a)).toBe('auth *** failed, url redis://:***@h:1, again ***');
    expect(redactSecret('connect redis://bob:xyz@other:2 failed', null)).toBe('connect redis://bob:***@other:2 failed');
  });
});
