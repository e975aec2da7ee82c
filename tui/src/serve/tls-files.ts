// The files of tls_server_config: the certificate, its key and the clients' CA, read and checked
// together, and read again when any of them changes (as the exporter-toolkit re-reads them for
// each connection), so that a renewed certificate needs no restart.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { TlsServerConfig } from './web-config.js';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

function read(key: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new Error(`${key} ${file}: cannot read it: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      cause: e,
    });
  }
}

/** What Node's TLS server takes, and what a person should hear about (one line each). */
interface Loaded {
  readonly options: SecureContextOptions;
  readonly warnings: readonly string[];
}

/** Throws a one-line Error naming the key and file at fault. */
export function loadTlsFiles(c: TlsServerConfig, nowMs = Date.now()): Loaded {
  const warnings: string[] = [];
  const cert = read('cert_file', c.certFile);
  const key = read('key_file', c.keyFile);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (e) {
    throw new Error(`cert_file ${c.certFile}: not a PEM certificate`, { cause: e });
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (e) {
    const encrypted = /passphrase/i.test((e as Error).message);
    throw new Error(
      `key_file ${c.keyFile}: ${encrypted ? 'an encrypted key (give it without a passphrase)' : 'not a PEM private key'}`,
      { cause: e },
    );
  }
  if (!x509.checkPrivateKey(privateKey))
    throw new Error(`key_file ${c.keyFile} is not the key of cert_file ${c.certFile}`);
  if (Date.parse(x509.validTo) < nowMs)
    warnings.push(`cert_file ${c.certFile} expired on ${x509.validTo}: clients will refuse it`);
  else if (Date.parse(x509.validFrom) > nowMs)
    warnings.push(`cert_file ${c.certFile} is not valid before ${x509.validFrom}: clients will refuse it`);
  if ((statSync(c.keyFile).mode & 0o007) !== 0)
    warnings.push(`key_file ${c.keyFile} can be read by every user: chmod o-rwx it`);
  const options: SecureContextOptions = { cert, key, minVersion: c.minVersion, maxVersion: c.maxVersion };
  if (c.clientCaFile !== null) {
    const ca = read('client_ca_file', c.clientCaFile);
    const pems = ca.toString('latin1').match(PEM_CERTIFICATE) ?? [];
    if (pems.length === 0) throw new Error(`client_ca_file ${c.clientCaFile}: holds no PEM certificate`);
    for (const pem of pems) {
      try {
        new X509Certificate(pem);
      } catch (e) {
        throw new Error(`client_ca_file ${c.clientCaFile}: a certificate in it cannot be read`, { cause: e });
      }
    }
    options.ca = ca;
  }
  try {
    createSecureContext(options);
  } catch (e) {
    throw new Error(`cert_file ${c.certFile}: refused by OpenSSL: ${(e as Error).message.split('\n')[0]}`, {
      cause: e,
    });
  }
  return { options, warnings };
}

/** What identifies a file's content without reading it; a renewal (rename or rewrite) changes it. */
function stamp(files: readonly string[]): string {
  return files
    .map((f) => {
      try {
        const s = statSync(f);
        return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
      } catch {
        return 'absent';
      }
    })
    .join('|');
}

export class TlsFiles {
  #options: SecureContextOptions;
  #stamp: string;
  readonly #files: readonly string[];

  /** Loads them now: throws a one-line Error when they are not good. */
  constructor(
    private readonly config: TlsServerConfig,
    private readonly log: (line: string) => void,
  ) {
    this.#files = [config.certFile, config.keyFile, ...(config.clientCaFile === null ? [] : [config.clientCaFile])];
    this.#stamp = stamp(this.#files);
    const loaded = loadTlsFiles(config);
    loaded.warnings.forEach(log);
    this.#options = loaded.options;
  }

  get options(): SecureContextOptions {
    return this.#options;
  }

  /**
   * The options again when a file changed since the last look and the new files are good;
   * null otherwise. Files that are not good (a renewal half written) are said once and the
   * previous ones kept.
   */
  refresh(): SecureContextOptions | null {
    const now = stamp(this.#files);
    if (now === this.#stamp) return null;
    this.#stamp = now;
    try {
      const loaded = loadTlsFiles(this.config);
      loaded.warnings.forEach(this.log);
      this.#options = loaded.options;
      this.log(`tls_server_config: ${this.config.certFile} read again`);
      return loaded.options;
    } catch (e) {
      this.log(`tls_server_config: ${(e as Error).message}; still serving the previous certificate`);
      return null;
    }
  }
}
