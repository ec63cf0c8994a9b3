import { describe, expect, it } from 'vitest';
import { appLocation, parseDevServerUrl } from './app-url';

describe('appLocation (bundled UI)', () => {
  const location = appLocation();

  it('loads the bundled index.html through the app:// protocol, not file://', () => {
    expect(location.url).toBe('app://workbench/index.html');
  });

  it('recognises the index whatever the hash route or query', () => {
    expect(location.isAppUrl(location.url)).toBe(true);
    expect(location.isAppUrl(`${location.url}#/runs/3`)).toBe(true);
    expect(location.isAppUrl(`${location.url}?x=1#/new`)).toBe(true);
  });

  it('rejects other pages, other hosts, other schemes', () => {
    expect(location.isAppUrl('app://workbench/other.html')).toBe(false);
    expect(location.isAppUrl('app://evil/index.html')).toBe(false);
    expect(location.isAppUrl('file:///opt/app/renderer/dist/index.html')).toBe(false);
    expect(location.isAppUrl('file:///etc/passwd')).toBe(false);
    expect(location.isAppUrl('https://workbench/index.html')).toBe(false);
    expect(location.isAppUrl('')).toBe(false);
    expect(location.isAppUrl('about:blank')).toBe(false);
  });
});

describe('appLocation (dev server)', () => {
  it('trusts the dev server origin only', () => {
    const location = appLocation({ devServerUrl: parseDevServerUrl('http://localhost:5173/') });
    expect(location.url).toBe('http://localhost:5173/');
    expect(location.isAppUrl('http://localhost:5173/#/runs')).toBe(true);
    expect(location.isAppUrl('http://localhost:5174/')).toBe(false);
    expect(location.isAppUrl('file:///unused')).toBe(false);
  });

  it('accepts only http loopback dev servers', () => {
    expect(parseDevServerUrl(undefined)).toBeNull();
    expect(parseDevServerUrl('  ')).toBeNull();
    expect(parseDevServerUrl('http://127.0.0.1:5173')?.origin).toBe('http://127.0.0.1:5173');
    expect(() => parseDevServerUrl('https://example.com/')).toThrow(/localhost/);
    expect(() => parseDevServerUrl('http://192.168.1.2:5173/')).toThrow(/localhost/);
    expect(() => parseDevServerUrl('nonsense')).toThrow(/not a URL/);
  });
});
