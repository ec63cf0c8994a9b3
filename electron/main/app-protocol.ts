import { realpath, readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isInside } from '../../core/api/import-roots';
import { contentTypeOf } from '../../core/server/static-files';

/**
 * The desktop window loads the UI from `app://workbench/`, a custom protocol served by this handler,
 * instead of `file://`. Every response it makes carries our Content-Security-Policy header, so the
 * policy provably applies to the page (webRequest header hooks are not guaranteed to see file://
 * loads), and the page's origin is one fixed, non-file origin: it cannot read other local files.
 */

export const APP_SCHEME = 'app';
export const APP_HOST = 'workbench';
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * For protocol.registerSchemesAsPrivileged (before the app is ready): a standard scheme (relative
 * URLs and an origin work as for http), secure (a secure context, like https), no fetch or CORS
 * from elsewhere.
 */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
};

export type ProtocolHandler = (request: Request) => Promise<Response>;

/** Answers app://workbench/PATH with the file PATH under `root` (the built UI), nothing outside it. */
export function appProtocolHandler(root: string, contentSecurityPolicy: string): ProtocolHandler {
  const headers = (extra: Record<string, string>) => ({
    'Content-Security-Policy': contentSecurityPolicy,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
    ...extra,
  });
  const refuse = (status: number, text: string) => new Response(`${text}\n`, { status, headers: headers({ 'Content-Type': 'text/plain; charset=utf-8' }) });

  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'method not allowed');
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return refuse(400, 'bad URL');
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return refuse(404, 'not found');
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return refuse(400, 'bad path encoding');
    }
    if (path.includes('\0')) return refuse(400, 'bad path');
    const realRoot = await realpath(root).catch(() => null);
    if (!realRoot) return refuse(404, 'the user interface is not built');
    const file = resolve(realRoot, '.' + (path === '/' ? '/index.html' : path));
    if (!isInside(realRoot, file)) return refuse(404, 'not found');
    // Symbolic links are followed only when they stay inside the UI folder.
    const real = await realpath(file).catch(() => null);
    if (!real || !isInside(realRoot, real) || !(await stat(real)).isFile()) return refuse(404, 'not found');
    const body = request.method === 'HEAD' ? null : await readFile(real);
    return new Response(body, { status: 200, headers: headers({ 'Content-Type': contentTypeOf(real) }) });
  };
}
