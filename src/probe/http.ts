import * as http from 'node:http';
import * as https from 'node:https';
import { createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import type { ProbeTarget } from './targets.js';

export const DEFAULT_BODY_CAP = 256 * 1024;
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Node's default header limit (16 KiB): bigger response headers fail the request with a parse error. */
export const MAX_HEADER_BYTES = 16 * 1024;
export const USER_AGENT = 'exhunt-probe (incident response; https://github.com/exhunt)';

export interface HttpOptions {
  timeoutMs?: number;
  bodyCap?: number;
  /** Verify the server's certificate (default false: self-signed certificates are accepted and reported). */
  strictTls?: boolean;
  headers?: Record<string, string>;
  method?: string;
  /** Extra trusted CA certificates (PEM) for strictTls, e.g. an internal CA; the system CAs are used otherwise. */
  ca?: string | string[];
}

export interface TlsInfo {
  /** True when the certificate chain verified against the system CAs and matched the host name. */
  verified: boolean;
  /** OpenSSL's reason when it did not (e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`). */
  error?: string;
}

export interface HttpResponse {
  status: number;
  /** Lower-case header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** At most `bodyCap` bytes of the body, decoded as latin1 (byte-preserving; only ASCII is matched). */
  body: string;
  /** True when the body was longer than the cap and the rest was not read. */
  truncated: boolean;
  tls?: TlsInfo;
}

/** A request that failed without an HTTP response. `kind` tells timeouts from refusals and TLS failures. */
export class ProbeHttpError extends Error {
  readonly kind: 'timeout' | 'tls' | 'network' | 'protocol';
  readonly code: string | undefined;
  constructor(kind: ProbeHttpError['kind'], message: string, code?: string) {
    super(message);
    this.name = 'ProbeHttpError';
    this.kind = kind;
    this.code = code;
  }
}

const TLS_CODES = /CERT|SELF_SIGNED|SSL|TLS|ERR_SSL|UNABLE_TO|HOSTNAME|ALTNAME|EPROTO/;

function classify(e: NodeJS.ErrnoException): ProbeHttpError {
  const code = e.code ?? '';
  if (e instanceof ProbeHttpError) return e;
  if (code.startsWith('HPE_')) return new ProbeHttpError('protocol', `malformed HTTP response (${code})`, code);
  if (TLS_CODES.test(code)) return new ProbeHttpError('tls', `TLS failure: ${e.message}`, code);
  return new ProbeHttpError('network', e.message || code || 'connection failed', code || undefined);
}

function joinHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

// One TLS context per CA set, shared by every request: building one per request (loading the root store) cost about
// a third of each probe's time in bench/probe.ts.
const contexts = new Map<string, SecureContext>();
function secureContextFor(ca: string | string[] | undefined): SecureContext {
  const key = ca === undefined ? '' : JSON.stringify(ca);
  let c = contexts.get(key);
  if (!c) {
    c = createSecureContext(ca === undefined ? {} : { ca });
    if (contexts.size > 16) contexts.clear();
    contexts.set(key, c);
  }
  return c;
}

/**
 * One GET (or `method`) to `path` on the target. Redirects are never followed. The whole exchange (connect, TLS,
 * headers, body) has one deadline; the body is read up to `bodyCap` bytes, then the connection is dropped.
 * Rejects with ProbeHttpError when there is no HTTP response.
 */
export function httpRequest(t: ProbeTarget, path: string, o: HttpOptions = {}): Promise<HttpResponse> {
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const cap = o.bodyCap ?? DEFAULT_BODY_CAP;
  const hostHeader = isIP(t.host) === 6 ? `[${t.host}]` : t.host;
  const defaultPort = t.scheme === 'https' ? 443 : 80;
  // tls.connect takes `secureContext`; the https typings leave it out.
  const reqOpts: https.RequestOptions & { secureContext?: SecureContext } = {
    host: t.host,
    port: t.port,
    path,
    method: o.method ?? 'GET',
    agent: false,
    maxHeaderSize: MAX_HEADER_BYTES,
    headers: {
      Host: t.port === defaultPort ? hostHeader : `${hostHeader}:${t.port}`,
      'User-Agent': USER_AGENT,
      Accept: '*/*',
      Connection: 'close',
      ...o.headers,
    },
  };
  if (t.scheme === 'https') {
    reqOpts.rejectUnauthorized = o.strictTls === true;
    reqOpts.secureContext = secureContextFor(o.ca);
    if (!isIP(t.host)) reqOpts.servername = t.host;
  }
  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    const finish = (err: ProbeHttpError | null, res?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(res!);
    };
    const req = (t.scheme === 'https' ? https : http).request(reqOpts, (res) => {
      let tls: TlsInfo | undefined;
      if (t.scheme === 'https') {
        const s = res.socket as TLSSocket;
        tls = s.authorized ? { verified: true } : { verified: false, error: String(s.authorizationError ?? 'certificate not verified') };
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const done = () => {
        const base: HttpResponse = {
          status: res.statusCode ?? 0,
          headers: joinHeaders(res.headers),
          body: Buffer.concat(chunks).toString('latin1'),
          truncated,
        };
        if (tls) base.tls = tls;
        finish(null, base);
      };
      res.on('data', (c: Buffer) => {
        if (settled) return;
        const room = cap - size;
        if (c.length >= room) {
          chunks.push(c.subarray(0, room));
          size = cap;
          truncated = c.length > room;
          if (truncated) {
            done();
            req.destroy();
          }
          return;
        }
        chunks.push(c);
        size += c.length;
      });
      res.on('end', done);
      res.on('error', (e) => {
        // A body cut short after the headers still gives us status and headers.
        if (!settled && (e as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') truncated = true;
        done();
      });
      res.on('aborted', done);
    });
    const timer = setTimeout(() => {
      finish(new ProbeHttpError('timeout', `no complete answer within ${timeoutMs} ms`));
      req.destroy();
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => finish(classify(e)));
    req.end();
  });
}

/** `httpRequest` with up to `retries` more attempts after a timeout or network failure (never after an HTTP answer, a TLS refusal, a refused connection or an unknown host). */
export async function httpRequestRetry(t: ProbeTarget, path: string, o: HttpOptions & { retries?: number } = {}): Promise<HttpResponse> {
  const retries = Math.max(0, Math.min(o.retries ?? 1, 5));
  for (let attempt = 0; ; attempt++) {
    try {
      return await httpRequest(t, path, o);
    } catch (e) {
      const err = e as ProbeHttpError;
      const retryable = err.kind === 'timeout' || (err.kind === 'network' && err.code !== 'ENOTFOUND' && err.code !== 'ECONNREFUSED');
      if (!retryable || attempt >= retries) throw err;
    }
  }
}
