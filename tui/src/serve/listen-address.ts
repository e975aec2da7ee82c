// `--serve [HOST:]PORT`: where the exporter listens. Only loopback unless HOST says otherwise.

export interface ListenAddress {
  /** As given, without brackets: 127.0.0.1, ::1, 0.0.0.0, a host name. */
  readonly host: string;
  /** 0 lets the system pick a free port (printed once listening). */
  readonly port: number;
}

const DEFAULT_HOST = '127.0.0.1';
/** In Prometheus's exporter range 9100-9999 (see contrib/prometheus/README.md). */
export const DEFAULT_PORT = 9858;

const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;
const IPV6 = /^[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?$/;

/**
 * "9858", "0.0.0.0:9858", "[::1]:9858", or a HOST alone ("0.0.0.0", "[::]") on DEFAULT_PORT;
 * throws a one-line Error naming the text.
 */
export function parseListenAddress(text: string): ListenAddress {
  const bad = (why: string) => new Error(`--serve '${text}': ${why}`);
  let host = DEFAULT_HOST;
  let portText: string | null = text;
  if (text.startsWith('[')) {
    const m = /^\[([^\]]*)\](?::([^:]*))?$/.exec(text);
    if (m === null) throw bad('an IPv6 address takes the form [ADDRESS]:PORT, e.g. [::1]:9858');
    if (!IPV6.test(m[1]) || !m[1].includes(':')) throw bad(`'${m[1]}' is not an IPv6 address`);
    host = m[1];
    portText = m[2] ?? null;
  } else if (text.includes(':')) {
    const i = text.lastIndexOf(':');
    host = text.slice(0, i);
    portText = text.slice(i + 1);
    if (host.includes(':')) throw bad('an IPv6 address goes in brackets, e.g. [::1]:9858');
    if (host === '') throw bad('the host is empty: give one, e.g. 0.0.0.0:9858 for every IPv4 address');
  } else if (!/^\d+$/.test(text)) {
    host = text;
    portText = null;
  }
  if (!HOST_NAME.test(host) && !host.includes(':')) throw bad(`'${host}' is not a host name or address`);
  if (portText === null) return { host, port: DEFAULT_PORT };
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535)
    throw bad(`'${portText}' is not a port (0-65535; 0 picks a free one)`);
  return { host, port: Number(portText) };
}

/** host:port, with brackets for IPv6, for messages and URLs. */
export function formatListenAddress(a: ListenAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** Only this machine can reach it: 127.0.0.0/8, ::1 (also IPv4-mapped), localhost. */
export function isLoopback(host: string): boolean {
  return /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+|localhost)$/i.test(host);
}
