// The exporter's HTTP side: GET and HEAD /metrics, 404 for any other path, 405 for any other
// method, over HTTP or HTTPS, each request authorized first (see web-serving); limits on what a
// client may hold (headers, time, connections); listening problems become one-line errors that
// say what to do.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { formatListenAddress, type ListenAddress } from './listen-address.js';
import { OPEN_WEB, type TlsServing, type WebServing } from './web-serving.js';

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

/** A client that has sent no whole request head by then is cut off (slow clients hold a socket each). */
const HEADERS_TIMEOUT_MS = 10_000;
/** An idle connection kept this long between scrapes: a minute's interval needs no new handshake. */
const KEEP_ALIVE_MS = 65_000;
/** Connections at once: what a few Prometheus servers need, far from the process's descriptors. */
const MAX_CONNECTIONS = 256;

const TEXT = 'text/plain; charset=utf-8';

async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  exposition: Exposition,
  web: WebServing,
): Promise<void> {
  for (const [name, value] of Object.entries(web.headers)) res.setHeader(name, value);
  // Before the path: an unauthorized client learns nothing, not even which paths exist.
  const auth = await web.authorize(req);
  if (auth === 'denied') {
    res
      .writeHead(401, { 'Content-Type': TEXT, 'WWW-Authenticate': 'Basic realm="pktstat-top", charset="UTF-8"' })
      .end('unauthorized\n');
    return;
  }
  if (auth === 'busy') {
    res.writeHead(503, { 'Content-Type': TEXT, 'Retry-After': '1' }).end('too many password checks waiting\n');
    return;
  }
  const path = targetPath(req.url ?? '');
  if (path !== '/metrics') {
    res.writeHead(404, { 'Content-Type': TEXT }).end('not found: the metrics are at /metrics\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res
      .writeHead(405, { 'Content-Type': TEXT, Allow: 'GET, HEAD' })
      .end(`method ${req.method} not allowed: use GET or HEAD\n`);
    return;
  }
  const body = await exposition.metrics();
  res.writeHead(200, { 'Content-Type': exposition.contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function createTlsServer(options: ServerOptions, tls: TlsServing, onRequest: Parameters<typeof createServer>[1]) {
  const server = createHttpsServer({ ...options, ...tls.options, handshakeTimeout: HEADERS_TIMEOUT_MS }, onRequest);
  // Before the server wraps the socket in TLS, so that this connection already has the new files.
  server.prependListener('connection', () => {
    const renewed = tls.refresh();
    if (renewed !== null) server.setSecureContext(renewed);
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    if (tls.refuse(socket) !== null) socket.destroy();
  });
  return server;
}

/** Listens, or rejects with a one-line Error. */
export async function serveMetrics(
  at: ListenAddress,
  exposition: Exposition,
  web: WebServing = OPEN_WEB,
): Promise<MetricsServer> {
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    answer(req, res, exposition, web).catch((e: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': TEXT });
      res.end(`${e.message.split('\n')[0]}\n`);
    });
  };
  const options: ServerOptions = {
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: HEADERS_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_MS,
    // How often the timeouts above are looked at (30 s by default: a slow client would get 40).
    connectionsCheckingInterval: 1000,
  };
  const server: Server =
    web.tls === null ? createServer(options, onRequest) : createTlsServer(options, web.tls, onRequest);
  server.maxConnections = MAX_CONNECTIONS;
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
      await web.close();
    },
  };
}
