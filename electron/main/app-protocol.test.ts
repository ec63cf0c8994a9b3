import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { APP_INDEX_URL, appProtocolHandler } from './app-protocol';
import { CONTENT_SECURITY_POLICY } from './window';

vi.mock('electron', () => ({}));

let base: string;
let root: string;
let handle: ReturnType<typeof appProtocolHandler>;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'alignahead-app-protocol-'));
  root = join(base, 'dist');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Alignahead Workbench</title>');
  writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(root, 'assets', 'index-abc.css'), 'body{}');
  writeFileSync(join(base, 'secret.txt'), 'outside the UI folder');
  symlinkSync(join(base, 'secret.txt'), join(root, 'assets', 'link-out.txt'));
  handle = appProtocolHandler(root, CONTENT_SECURITY_POLICY);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => handle(new Request(url, { method }));

describe('the app:// protocol handler', () => {
  it('serves the UI files with their types and our CSP header on each', async () => {
    const index = await get(APP_INDEX_URL);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await index.text()).toContain('Alignahead Workbench');
    const script = await get('app://workbench/assets/index-abc.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await get('app://workbench/assets/index-abc.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await (await get('app://workbench/')).text()).toContain('Alignahead Workbench');
  });

  it('HEAD answers without a body', async () => {
    const head = await get(APP_INDEX_URL, 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('refuses, with the CSP header too, anything outside the UI folder', async () => {
    for (const url of [
      'app://workbench/../secret.txt',
      'app://workbench/%2e%2e/secret.txt',
      'app://workbench/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      'app://workbench/assets/link-out.txt',
      'app://workbench/missing.js',
      'app://workbench/assets',
      'app://other-host/index.html',
    ]) {
      const response = await get(url);
      expect(response.status, url).toBe(404);
      expect(response.headers.get('content-security-policy'), url).toBe(CONTENT_SECURITY_POLICY);
      expect(await response.text(), url).not.toContain('outside the UI folder');
    }
    expect((await get('app://workbench/%E0%A4%A.js')).status).toBe(400);
    expect((await get('app://workbench/a%00.js')).status).toBe(400);
    expect((await get(APP_INDEX_URL, 'POST')).status).toBe(405);
  });

  it('says the UI is not built when its folder is missing', async () => {
    const response = await appProtocolHandler(join(base, 'nothing-here'), CONTENT_SECURITY_POLICY)(new Request(APP_INDEX_URL));
    expect(response.status).toBe(404);
    expect(await response.text()).toMatch(/not built/);
  });
});
