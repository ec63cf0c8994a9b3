import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

export interface LocalServer {
  /** http://127.0.0.1:PORT, set before the file's first test */
  readonly base: string;
  /** responses the handler leaves open on purpose; their sockets are cut when the server closes */
  readonly hanging: Set<ServerResponse>;
}

/**
 * Test helper: a loopback HTTP server (the download tests' stand-in for a dataset host) that
 * listens before the calling file's tests and closes after them, cutting whatever is still open
 * so a hanging response cannot hold the run. Call at file top level.
 */
export function useLocalServer(handle: (req: IncomingMessage, res: ServerResponse) => void): LocalServer {
  const local = { base: '', hanging: new Set<ServerResponse>() };
  let server: Server;
  beforeAll(async () => {
    server = createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    local.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const res of local.hanging) res.socket?.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return local;
}

/** A loopback port nothing listens on (one just opened and closed again): an unreachable host. */
export async function closedPort(): Promise<number> {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  return port;
}
