import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, resolve } from 'node:path';
import { isInside } from '../api/import-roots';

/** Serves the built renderer (renderer/dist): files by path, index.html for app routes. */

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** The Content-Type of a built UI file, by extension (also used by the desktop's app:// protocol). */
export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Alignahead Workbench</title></head>
<body><h1>Alignahead Workbench</h1>
<p>The server is running, but the user interface has not been built yet.</p>
<p>Run <code>npm run build:renderer</code> in the project folder (<code>npm start</code> builds it for you), then reload this page.</p>
<p>The API answers at <code>/api/</code>.</p></body></html>
`;

export function serveStatic(res: ServerResponse, staticDir: string | null, pathname: string, headOnly: boolean): void {
  const root = staticDir && existsSync(resolve(staticDir, 'index.html')) ? realpathSync(staticDir) : null;
  if (!root) return send(res, 200, 'text/html; charset=utf-8', NOT_BUILT_PAGE, headOnly);

  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return send(res, 400, 'text/plain; charset=utf-8', 'bad path encoding\n', headOnly);
  }
  if (decoded.includes('\0')) return send(res, 400, 'text/plain; charset=utf-8', 'bad path\n', headOnly);
  const file = resolve(root, '.' + decoded);
  if (!isInside(root, file)) return send(res, 404, 'text/plain; charset=utf-8', 'not found\n', headOnly);

  if (existsSync(file) && statSync(file).isFile()) {
    const real = realpathSync(file);
    if (!isInside(root, real)) return send(res, 404, 'text/plain; charset=utf-8', 'not found\n', headOnly);
    return sendFile(res, real, headOnly);
  }
  // An app route (/runs/12) gets the app; a missing asset (/app.js) is a 404.
  if (extname(decoded) === '') return sendFile(res, resolve(root, 'index.html'), headOnly);
  return send(res, 404, 'text/plain; charset=utf-8', 'not found\n', headOnly);
}

function sendFile(res: ServerResponse, file: string, headOnly: boolean): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', contentTypeOf(file));
  res.setHeader('Content-Length', statSync(file).size);
  // index.html names the hashed assets: it must never be cached; the assets may be.
  res.setHeader('Cache-Control', file.endsWith('index.html') ? 'no-store' : 'public, max-age=3600');
  if (headOnly) {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

function send(res: ServerResponse, status: number, type: string, body: string, headOnly: boolean): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  res.end(headOnly ? undefined : body);
}
