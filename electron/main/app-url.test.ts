import { describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { appLocation, parseDevServerUrl } from './app-url';

describe('appLocation (bundled UI)', () => {
  const indexHtmlPath = '/opt/Alignahead Workbench/resources/app.asar/renderer/dist/index.html';
  const location = appLocation({ indexHtmlPath, platform: 'linux' });

  it('loads the bundled index.html', () => {
    expect(location.url).toBe(pathToFileURL(indexHtmlPath).href);
  });

  it('recognises the index whatever the hash route or query', () => {
    expect(location.isAppUrl(location.url)).toBe(true);
    expect(location.isAppUrl(`${location.url}#/runs/3`)).toBe(true);
    expect(location.isAppUrl(`${location.url}?x=1#/new`)).toBe(true);
  });

  it('rejects other files, other schemes and remote hosts', () => {
    expect(location.isAppUrl(pathToFileURL('/opt/Alignahead Workbench/resources/app.asar/renderer/dist/other.html').href)).toBe(false);
    expect(location.isAppUrl('file:///etc/passwd')).toBe(false);
    expect(location.isAppUrl('file://evil.example/opt/Alignahead%20Workbench/resources/app.asar/renderer/dist/index.html')).toBe(false);
    expect(location.isAppUrl('https://evil.example/renderer/dist/index.html')).toBe(false);
    expect(location.isAppUrl('')).toBe(false);
    expect(location.isAppUrl('about:blank')).toBe(false);
  });
});

describe('appLocation (dev server)', () => {
  it('trusts the dev server origin only', () => {
    const location = appLocation({ indexHtmlPath: '/unused', devServerUrl: parseDevServerUrl('http://localhost:5173/') });
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
