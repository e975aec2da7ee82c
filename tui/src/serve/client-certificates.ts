// tls_server_config.client_auth_type and client_allowed_sans as Node's TLS server does them: what
// the handshake asks and verifies, and what is checked once it is done (a connection that fails
// is closed before its request is read).
import type { TLSSocket, TlsOptions } from 'node:tls';
import type { ClientAuthType, TlsServerConfig } from './web-config.js';

/** Go's semantics of each type, in Node's two switches. */
const HANDSHAKE: Readonly<Record<ClientAuthType, Pick<TlsOptions, 'requestCert' | 'rejectUnauthorized'>>> = {
  NoClientCert: { requestCert: false, rejectUnauthorized: false },
  RequestClientCert: { requestCert: true, rejectUnauthorized: false },
  RequireAnyClientCert: { requestCert: true, rejectUnauthorized: false },
  VerifyClientCertIfGiven: { requestCert: true, rejectUnauthorized: false },
  RequireAndVerifyClientCert: { requestCert: true, rejectUnauthorized: true },
};

export function handshakeOptions(c: TlsServerConfig): Pick<TlsOptions, 'requestCert' | 'rejectUnauthorized'> {
  return HANDSHAKE[c.clientAuth];
}

/** `DNS:a, IP Address:1.2.3.4, URI:"x, y"` (Node quotes a value with a comma in JSON) as values. */
export function subjectAltNames(text: string | undefined): string[] {
  const out: string[] = [];
  for (const m of (text ?? '').matchAll(/(?:^|, )[A-Za-z ]+:("(?:[^"\\]|\\.)*"|[^,]*)/g))
    out.push(m[1].startsWith('"') ? (JSON.parse(m[1]) as string) : m[1]);
  return out;
}

/** After the handshake: why the client is refused, or null. */
export function refuseClient(c: TlsServerConfig, socket: TLSSocket): string | null {
  const peer = socket.getPeerX509Certificate();
  if (peer === undefined) {
    return c.clientAuth === 'RequireAnyClientCert' || c.clientAuth === 'RequireAndVerifyClientCert'
      ? 'no client certificate'
      : null;
  }
  if (c.clientAuth === 'VerifyClientCertIfGiven' && !socket.authorized)
    return `client certificate not verified: ${String(socket.authorizationError)}`;
  const allowed = c.clientAllowedSans;
  if (allowed !== null && !subjectAltNames(peer.subjectAltName).some((n) => allowed.includes(n)))
    return 'client certificate has none of client_allowed_sans';
  return null;
}
