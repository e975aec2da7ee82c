// What a web configuration makes of the exporter's HTTP side: the TLS server's options and their
// reloading, the client-certificate policy, who may ask (basic authentication) and the headers of
// every answer. Everything is read and checked when it is made, before anything listens.
import type { IncomingMessage } from 'node:http';
import type { SecureContextOptions, TLSSocket, TlsOptions } from 'node:tls';
import { type AuthResult, BasicAuth } from './basic-auth.js';
import { BcryptVerifier } from './bcrypt-verifier.js';
import { handshakeOptions, refuseClient } from './client-certificates.js';
import { TlsFiles } from './tls-files.js';
import { readWebConfig, type WebConfig } from './web-config.js';

export interface TlsServing {
  /** For https.createServer: the files' contents and the client-certificate switches. */
  readonly options: TlsOptions;
  /** New context options when a file changed (see TlsFiles.refresh), else null. */
  refresh(): SecureContextOptions | null;
  /** After the handshake: why this client is refused, or null. */
  refuse(socket: TLSSocket): string | null;
}

export interface WebServing {
  /** null: plain HTTP. */
  readonly tls: TlsServing | null;
  readonly headers: Readonly<Record<string, string>>;
  /** Whether the request may have an answer; 'granted' for every one without basic_auth_users. */
  authorize(req: IncomingMessage): Promise<AuthResult>;
  /** What it does, for the log line that says where it serves. */
  readonly summary: string;
  /** Neither a password nor a verified client certificate is asked. */
  readonly open: boolean;
  close(): Promise<void>;
}

/** Without --web.config.file: plain HTTP, anyone may ask. */
export const OPEN_WEB: WebServing = {
  tls: null,
  headers: {},
  authorize: () => Promise.resolve('granted'),
  summary: 'no TLS, no authentication',
  open: true,
  close: () => Promise.resolve(),
};

function tlsServing(config: NonNullable<WebConfig['tls']>, log: (line: string) => void): TlsServing {
  const files = new TlsFiles(config, log);
  return {
    options: { ...files.options, ...handshakeOptions(config) },
    refresh: () => files.refresh(),
    refuse: (socket) => refuseClient(config, socket),
  };
}

/** Reads FILE and everything it names; throws a one-line Error at the first problem. */
export function openWebServing(file: string, log: (line: string) => void): WebServing {
  const config = readWebConfig(file);
  let tls: TlsServing | null;
  try {
    tls = config.tls === null ? null : tlsServing(config.tls, log);
  } catch (e) {
    throw new Error(`--web.config.file ${file}: tls_server_config.${(e as Error).message}`, { cause: e });
  }
  const verifier = config.users.size === 0 ? null : new BcryptVerifier();
  const auth = verifier === null ? null : new BasicAuth(config.users, verifier);
  const parts = [
    config.tls === null ? 'no TLS' : `TLS ${config.tls.minVersion}-${config.tls.maxVersion}`,
    ...(config.tls === null || config.tls.clientAuth === 'NoClientCert'
      ? []
      : [`client certificates: ${config.tls.clientAuth}`]),
    auth === null
      ? 'no authentication'
      : `basic authentication (${config.users.size} user${config.users.size > 1 ? 's' : ''})`,
  ];
  return {
    tls,
    headers: config.headers,
    authorize: (req) => (auth === null ? Promise.resolve('granted') : auth.check(req.headers.authorization)),
    summary: parts.join(', '),
    open: auth === null && config.tls?.clientAuth !== 'RequireAndVerifyClientCert',
    close: () => verifier?.close() ?? Promise.resolve(),
  };
}
