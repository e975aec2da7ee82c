// The exporter's HTTP side: GET and HEAD /metrics, 404 for any other path, 405 for any other
// method; listening problems become one-line errors that say what to do.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatListenAddress, type ListenAddress } from './listen-address.js';

export interface Exposition {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface MetricsServer {
  /** Where it listens, the port resolved (port 0 asked for any). */
  readonly address: ListenAddress;
  close(): Promise<void>;
}

function listenError(where: string, e: NodeJS.ErrnoException): Error {
  const why: Record<string, string> = {
    EADDRINUSE: 'the port is in use (another exporter running?): pick another PORT',
    EACCES: 'permission denied: ports below 1024 need root (or CAP_NET_BIND_SERVICE)',
    EADDRNOTAVAIL: 'no such address on this machine',
    ENOTFOUND: 'unknown host name',
    EAI_AGAIN: 'the host name cannot be resolved now',
  };
  return new Error(`cannot listen on ${where}: ${why[e.code ?? ''] ?? e.code ?? e.message}`, { cause: e });
}

/**
 * The path of a request target (RFC 9112 3.2): origin-form up to the query; absolute-form (what
 * proxies send) through the URL parser, which must never see origin-form: it reads `//x/metrics`
 * as host x. Anything else (`*`) is no path.
 */
function targetPath(target: string): string | null {
  if (target.startsWith('/')) return target.split('?', 1)[0];
  if (!/^https?:\/\//i.test(target)) return null;
  try {
    return new URL(target).pathname;
  } catch {
    return null;
  }
}

async function answer(req: IncomingMessage, res: ServerResponse, exposition: Exposition): Promise<void> {
  const path = targetPath(req.url ?? '');
  if (path !== '/metrics') {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found: the metrics are at /metrics\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res
      .writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8', Allow: 'GET, HEAD' })
      .end(`method ${req.method} not allowed: use GET or HEAD\n`);
    return;
  }
  const body = await exposition.metrics();
  res.writeHead(200, { 'Content-Type': exposition.contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Listens, or rejects with a one-line Error. */
export async function serveMetrics(at: ListenAddress, exposition: Exposition): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    answer(req, res, exposition).catch((e: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${e.message.split('\n')[0]}\n`);
    });
  });
  server.listen({ host: at.host, port: at.port });
  try {
    await once(server, 'listening');
  } catch (e) {
    throw listenError(formatListenAddress(at), e as NodeJS.ErrnoException);
  }
  const bound = server.address() as AddressInfo;
  return {
    address: { host: at.host, port: bound.port },
    close: async () => {
      const closed = once(server, 'close');
      server.close();
      // Scrapers keep connections alive; they must not hold the exit up.
      server.closeAllConnections();
      await closed;
    },
  };
}
