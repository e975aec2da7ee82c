// GET over HTTPS with the test CA, a client certificate and basic credentials, each connection
// new (no agent), answering what the server said and which certificate it showed.
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { KeyPair } from './pki.js';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The serial number of the certificate the server showed. */
  serial: string;
}

export function httpsGet(
  ca: KeyPair,
  port: number,
  o: {
    path?: string;
    auth?: string;
    client?: KeyPair;
    maxVersion?: 'TLSv1.2';
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: o.path ?? '/metrics',
        ca: readFileSync(ca.cert),
        cert: o.client === undefined ? undefined : readFileSync(o.client.cert),
        key: o.client === undefined ? undefined : readFileSync(o.client.key),
        maxVersion: o.maxVersion,
        agent: false,
        headers: {
          ...o.headers,
          ...(o.auth === undefined ? {} : { Authorization: `Basic ${Buffer.from(o.auth).toString('base64')}` }),
        },
      },
      (res) => {
        // Now: a server that closes after answering (431) leaves no socket by the end.
        const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            serial,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}
