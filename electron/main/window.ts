import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';

/**
 * The window's security settings, following Electron's security checklist: the page is an ordinary
 * sandboxed web page that reaches the backend only through the preload bridge, loads nothing
 * remote, cannot navigate away, open windows or ask for permissions.
 */

/** Applied to every response, so even a page that forgot its <meta> tag gets the same policy. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  // Vue's style bindings and ECharts write inline styles.
  "style-src 'self' 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function secureWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    show: false,
    backgroundColor: '#1e1e1e',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/** Adds the CSP header to every response and refuses every permission request of the session. */
export function hardenSession(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders };
    // A server-sent policy under another spelling would otherwise be combined with ours.
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === 'content-security-policy') delete headers[name];
    }
    headers['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
    callback({ responseHeaders: headers });
  });
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** Whether a URL may be handed to the operating system's browser. */
export function isExternalWebUrl(url: string): boolean {
  try {
    const protocol = new URL(url).protocol;
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

export interface NavigationGuard {
  /** true for the app's own page (the bundled index.html or, in development, the dev server) */
  isAppUrl(url: string): boolean;
  /** opens a web link in the user's browser */
  openExternal(url: string): void;
}

/**
 * Keeps the page where it is: navigation to anything but the app's own page is cancelled, new
 * windows are refused (web links go to the OS browser instead), and no <webview> can be attached.
 */
export function guardNavigation(contents: WebContents, guard: NavigationGuard): void {
  contents.on('will-navigate', (event, url) => {
    if (!guard.isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!guard.isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalWebUrl(url)) guard.openExternal(url);
    return { action: 'deny' };
  });
}
