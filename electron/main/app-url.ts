import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Where the UI comes from: the bundled renderer/dist/index.html, or in development a local Vite dev
 * server. Everything that trusts a page (IPC sender check, navigation guard) asks `isAppUrl`.
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

export function appLocation(options: { indexHtmlPath: string; devServerUrl?: URL | null; platform?: NodeJS.Platform }): AppLocation {
  const devServer = options.devServerUrl ?? null;
  if (devServer) {
    return { url: devServer.href, isAppUrl: (url) => sameOrigin(url, devServer) };
  }
  const caseInsensitive = (options.platform ?? process.platform) === 'win32';
  const normalise = (path: string) => (caseInsensitive ? resolve(path).toLowerCase() : resolve(path));
  const index = normalise(options.indexHtmlPath);
  return {
    url: pathToFileURL(options.indexHtmlPath).href,
    isAppUrl(url) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return false;
      }
      if (parsed.protocol !== 'file:' || parsed.host !== '') return false;
      // The router lives in the hash; the query is ignored too, the file is what identifies the app.
      return normalise(fileURLToPath(parsed)) === index;
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
