import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { Session, WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY, guardNavigation, hardenSession, isExternalWebUrl, secureWindowOptions } from './window';

vi.mock('electron', () => ({}));

describe('secureWindowOptions', () => {
  it('meets every item of the Electron security checklist', () => {
    const prefs = secureWindowOptions('/app/dist/electron/preload.cjs').webPreferences!;
    expect(prefs.preload).toBe('/app/dist/electron/preload.cjs');
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs.webviewTag).toBe(false);
  });
});

describe('CONTENT_SECURITY_POLICY', () => {
  it('has each required directive with exactly the required sources', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split(';').map((part) => {
        const [name, ...sources] = part.trim().split(/\s+/);
        return [name, sources.join(' ')] as const;
      }),
    );
    expect(Object.fromEntries(directives)).toEqual({
      'default-src': "'self'",
      'script-src': "'self'",
      'connect-src': "'self'",
      'img-src': "'self' data: blob:",
      'style-src': "'self' 'unsafe-inline'",
      'object-src': "'none'",
      'base-uri': "'none'",
      'frame-ancestors': "'none'",
    });
  });
});

function fakeSession() {
  let headersListener: ((details: { responseHeaders?: Record<string, string[]> }, callback: (response: unknown) => void) => void) | null = null;
  let permissionHandler: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  let permissionCheck: (() => boolean) | null = null;
  const session = {
    webRequest: { onHeadersReceived: (listener: typeof headersListener) => (headersListener = listener) },
    setPermissionRequestHandler: (handler: typeof permissionHandler) => (permissionHandler = handler),
    setPermissionCheckHandler: (handler: typeof permissionCheck) => (permissionCheck = handler),
  };
  return {
    session: session as unknown as Session,
    respond(responseHeaders: Record<string, string[]>) {
      let response: { responseHeaders: Record<string, string[]> } | null = null;
      headersListener!({ responseHeaders }, (r) => (response = r as typeof response));
      return response!.responseHeaders;
    },
    askPermission(permission: string): boolean {
      let granted: boolean | null = null;
      permissionHandler!({}, permission, (answer) => (granted = answer));
      return granted!;
    },
    checkPermission: () => permissionCheck!(),
  };
}

describe('hardenSession', () => {
  it('puts our CSP on every response, replacing one the response brought', () => {
    const fake = fakeSession();
    hardenSession(fake.session);
    const headers = fake.respond({ 'content-security-policy': ["default-src *"], 'Content-Type': ['text/html'] });
    const csp = Object.entries(headers).filter(([name]) => name.toLowerCase() === 'content-security-policy');
    expect(csp).toEqual([['Content-Security-Policy', [CONTENT_SECURITY_POLICY]]]);
    expect(headers['Content-Type']).toEqual(['text/html']);
  });

  it('denies every permission request and check', () => {
    const fake = fakeSession();
    hardenSession(fake.session);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      expect(fake.askPermission(permission)).toBe(false);
    }
    expect(fake.checkPermission()).toBe(false);
  });
});

function fakeContents() {
  const emitter = new EventEmitter();
  let openHandler: ((details: { url: string }) => { action: string }) | null = null;
  const contents = Object.assign(emitter, { setWindowOpenHandler: (handler: typeof openHandler) => (openHandler = handler) });
  const fire = (name: string, url: string) => {
    const event = { preventDefault: vi.fn() };
    emitter.emit(name, event, url);
    return event.preventDefault.mock.calls.length > 0;
  };
  return { contents: contents as unknown as WebContents, fire, open: (url: string) => openHandler!({ url }) };
}

describe('guardNavigation', () => {
  const appUrl = 'file:///app/renderer/dist/index.html';
  const setup = () => {
    const fake = fakeContents();
    const openExternal = vi.fn();
    guardNavigation(fake.contents, { isAppUrl: (url) => url.startsWith(appUrl), openExternal });
    return { ...fake, openExternal };
  };

  it('cancels navigation and redirects away from the app, allows the app itself', () => {
    const { fire } = setup();
    expect(fire('will-navigate', 'https://example.com/')).toBe(true);
    expect(fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(fire('will-redirect', 'https://example.com/')).toBe(true);
    expect(fire('will-navigate', `${appUrl}#/runs`)).toBe(false);
  });

  it('refuses <webview> attachment', () => {
    const { fire } = setup();
    expect(fire('will-attach-webview', 'https://example.com/')).toBe(true);
  });

  it('denies every new window; web links go to the OS browser, other schemes nowhere', () => {
    const { open, openExternal } = setup();
    expect(open('https://arxiv.org/abs/1234')).toEqual({ action: 'deny' });
    expect(open('http://example.com/')).toEqual({ action: 'deny' });
    expect(open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(open('javascript:alert(1)')).toEqual({ action: 'deny' });
    expect(open(`${appUrl}#/new`)).toEqual({ action: 'deny' });
    expect(openExternal.mock.calls).toEqual([['https://arxiv.org/abs/1234'], ['http://example.com/']]);
  });
});

describe('isExternalWebUrl', () => {
  it('accepts only http and https', () => {
    expect(isExternalWebUrl('https://a.b/')).toBe(true);
    expect(isExternalWebUrl('http://a.b/')).toBe(true);
    for (const url of ['file:///x', 'smb://host/share', 'javascript:1', 'not a url', 'mailto:a@b.c']) expect(isExternalWebUrl(url)).toBe(false);
  });
});
