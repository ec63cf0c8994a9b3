import { request, type IncomingMessage } from 'node:http';

export interface RawReply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface RawRequestOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** A raw HTTP request to `origin` + `path` (fetch would normalise paths and forbid some headers, e.g. Host). */
export function rawRequest(origin: string, method: string, path: string, options: RawRequestOptions = {}): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}${path}`, { method, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
