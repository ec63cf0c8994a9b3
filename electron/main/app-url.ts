import { APP_HOST, APP_INDEX_URL, APP_SCHEME } from './app-protocol';

/**
 * Where the UI comes from: the bundled renderer/dist, served as app://workbench/ (app-protocol.ts),
 * or in development a local Vite dev server. Everything that trusts a page (IPC sender check,
 * navigation guard) asks `isAppUrl`.
 */
export interface AppLocation {
  /** the URL the window loads */
  url: string;
  isAppUrl(url: string): boolean;
}

/** Only loopback dev servers are accepted: the app never loads remote content. */
export function parseDevServerUrl(raw: string | undefined): URL | null {
  if (!raw?.trim()) return null;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`dev server URL ${JSON.stringify(raw)} is not a URL`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'];
  if (url.protocol !== 'http:' || !loopback.includes(url.hostname)) {
    throw new Error(`dev server URL ${raw} must be http:// on localhost`);
  }
  return url;
}

export function appLocation(options: { devServerUrl?: URL | null } = {}): AppLocation {
  const devServer = options.devServerUrl ?? null;
  if (devServer) {
    return { url: devServer.href, isAppUrl: (url) => sameOrigin(url, devServer) };
  }
  return {
    url: APP_INDEX_URL,
    isAppUrl(url) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return false;
      }
      // The router lives in the hash and the query is ignored: the page is what identifies the app.
      return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.pathname === '/index.html';
    },
  };
}

function sameOrigin(url: string, expected: URL): boolean {
  try {
    return new URL(url).origin === expected.origin;
  } catch {
    return false;
  }
}
