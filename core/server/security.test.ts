import { expect, it } from 'vitest';
import { hostAllowed, isLoopbackHost, originAllowed, tokenMatches } from './security';

it('matches the token exactly, whatever the lengths', () => {
  expect(tokenMatches('a-token-of-some-length', 'a-token-of-some-length')).toBe(true);
  expect(tokenMatches('a-token-of-some-lengtH', 'a-token-of-some-length')).toBe(false);
  expect(tokenMatches('short', 'a-token-of-some-length')).toBe(false);
  expect(tokenMatches('', 'a-token-of-some-length')).toBe(false);
  expect(tokenMatches(null, 'a-token-of-some-length')).toBe(false);
});

it('accepts only loopback Host names on a loopback server, and only same-origin Origins', () => {
  expect(isLoopbackHost('127.0.0.1')).toBe(true);
  expect(isLoopbackHost('::1')).toBe(true);
  expect(isLoopbackHost('0.0.0.0')).toBe(false);
  expect(hostAllowed('localhost:7860', '127.0.0.1', 7860)).toBe(true);
  expect(hostAllowed('localhost:7861', '127.0.0.1', 7860)).toBe(false);
  expect(hostAllowed('attacker.example:7860', '127.0.0.1', 7860)).toBe(false);
  expect(hostAllowed(undefined, '127.0.0.1', 7860)).toBe(false);
  expect(hostAllowed('machine.lan:7860', '0.0.0.0', 7860)).toBe(true);
  expect(originAllowed(undefined, '127.0.0.1:7860')).toBe(true);
  expect(originAllowed('http://127.0.0.1:7860', '127.0.0.1:7860')).toBe(true);
  expect(originAllowed('http://127.0.0.1:7861', '127.0.0.1:7860')).toBe(false);
  expect(originAllowed('null', '127.0.0.1:7860')).toBe(false);
});
