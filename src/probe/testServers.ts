/**
 * Test support (not a test file): fake Exchange servers on 127.0.0.1 and a self-signed certificate made in pure
 * Node (ECDSA P-256, DER written by hand — no openssl binary needed). Servers only ever listen on 127.0.0.1.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

function derLen(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 255);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLen(body.length), body]);
}
function oid(dotted: string): Buffer {
  const p = dotted.split('.').map(Number);
  const out = [40 * p[0]! + p[1]!];
  for (const n of p.slice(2)) {
    const b: number[] = [n & 0x7f];
    for (let v = n >>> 7; v > 0; v >>>= 7) b.unshift(0x80 | (v & 0x7f));
    out.push(...b);
  }
  return tlv(0x06, Buffer.from(out));
}
const seq = (...c: Buffer[]) => tlv(0x30, ...c);
function utcTime(d: Date): Buffer {
  const s = d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  return tlv(0x17, Buffer.from(s, 'ascii'));
}
function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** A self-signed X.509 v3 certificate for `localhost` / 127.0.0.1, valid for a day. */
export function selfSignedCert(): { key: string; cert: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ecdsaSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const name = seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from('localhost')))));
  const now = Date.now();
  const san = seq(tlv(0x82, Buffer.from('localhost')), tlv(0x87, Buffer.from([127, 0, 0, 1])));
  const extensions = tlv(0xa3, seq(seq(oid('2.5.29.17'), tlv(0x04, san))));
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, Buffer.from([0x01, 0x23, 0x45, 0x67])),
    ecdsaSha256,
    name,
    seq(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 86400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  const sig = sign('sha256', tbs, privateKey);
  const cert = seq(tbs, ecdsaSha256, tlv(0x03, Buffer.from([0]), sig));
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, cert: pem('CERTIFICATE', cert) };
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface FakeServer {
  port: number;
  url: string;
  /** `127.0.0.1:port` / `[::1]:port` (https) or `http://127.0.0.1:port`. */
  target: string;
  requests: { method: string; url: string; cookie?: string }[];
  close: () => Promise<void>;
}

/** Start `handler` on 127.0.0.1 or ::1 (never any other address), over TLS with a fresh self-signed certificate when `tls`. */
export async function startServer(handler: Handler, opts: { tls?: boolean; cert?: { key: string; cert: string }; host?: '127.0.0.1' | '::1' } = {}): Promise<FakeServer> {
  const host = opts.host ?? '127.0.0.1';
  const shown = host === '::1' ? '[::1]' : host;
  const requests: FakeServer['requests'] = [];
  const wrapped: Handler = (req, res) => {
    const r: FakeServer['requests'][number] = { method: req.method ?? '', url: req.url ?? '' };
    if (req.headers.cookie) r.cookie = req.headers.cookie;
    requests.push(r);
    handler(req, res);
  };
  const server = opts.tls ? https.createServer(opts.cert ?? selfSignedCert(), wrapped) : http.createServer(wrapped);
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `${opts.tls ? 'https' : 'http'}://${shown}:${port}`,
    target: opts.tls ? `${shown}:${port}` : `http://${shown}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const MANIFEST = (v: string) =>
  `<?xml version="1.0" encoding="utf-8"?>\n<asmv1:assembly xsi:schemaLocation="urn:schemas-microsoft-com:asm.v1 assembly.adaptive.xsd" manifestVersion="1.0" xmlns:asmv1="urn:schemas-microsoft-com:asm.v1">\n` +
  `  <assemblyIdentity name="microsoft.exchange.ediscovery.exporttool.application" version="${v}" publicKeyToken="b03f5f7f11d50a3a" language="neutral" processorArchitecture="msil" xmlns="urn:schemas-microsoft-com:asm.v1" />\n</asmv1:assembly>\n`;

export interface ExchangeProfile {
  /** X-OWA-Version header value, or undefined to send none. */
  owaVersion?: string;
  /** Build in the OWA resource path of the logon page (3 or 4 parts), or undefined. */
  owaPath?: string;
  /** Version in the export tool manifest, or undefined for 404. */
  manifest?: string;
  /** ProxyLogon SSRF: echo `X-CalculatedBETarget: localhost` for the cookie. */
  proxylogon: boolean;
  /** ProxyShell path confusion: 302 (true) or 400 (false). */
  proxyshell: boolean;
}

/** 2016 CU19 before March 2021: `15.1.2176.2`, ProxyLogon and ProxyShell reachable. */
export const VULNERABLE_2016_CU19: ExchangeProfile = { owaVersion: '15.1.2176.2', owaPath: '15.1.2176', manifest: '15.1.2176.2', proxylogon: true, proxyshell: true };
/** 2019 CU14 with the Nov 2024 SU v2 (`15.2.1544.14`): nothing reachable. */
export const PATCHED_2019_CU14: ExchangeProfile = { owaVersion: '15.2.1544.14', owaPath: '15.2.1544', manifest: '15.2.1544.14', proxylogon: false, proxyshell: false };

/** A request handler answering like an Exchange front end with the given profile. */
export function exchangeHandler(p: ExchangeProfile): Handler {
  return (req, res) => {
    const url = req.url ?? '/';
    const path = url.split('?')[0]!.toLowerCase();
    res.setHeader('X-FEServer', 'EXCH01');
    if (p.owaVersion) res.setHeader('X-OWA-Version', p.owaVersion);
    if (path === '/owa/' || path === '/owa') {
      // Exchange redirects to the host name the client asked for.
      const host = req.headers.host ?? 'localhost';
      res.writeHead(302, { Location: `https://${host}/owa/auth/logon.aspx?url=https%3a%2f%2f${encodeURIComponent(host)}%2fowa%2f&reason=0` });
      res.end();
      return;
    }
    if (path === '/owa/auth/logon.aspx') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(p.owaPath ? `<html><link rel="stylesheet" href="/owa/auth/${p.owaPath}/themes/resources/logon.css"></html>` : '<html>logon</html>');
      return;
    }
    if (path === '/ecp/current/exporttool/microsoft.exchange.ediscovery.exporttool.application') {
      if (!p.manifest) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/x-ms-application' });
      res.end(MANIFEST(p.manifest));
      return;
    }
    if (path === '/owa/auth/x.js') {
      const cookie = req.headers.cookie ?? '';
      if (p.proxylogon && cookie.includes('X-BEResource=localhost')) {
        res.writeHead(500, { 'X-CalculatedBETarget': 'localhost', 'Content-Type': 'text/html' });
        res.end('NegotiateSecurityContext failed');
      } else {
        res.writeHead(404).end();
      }
      return;
    }
    if (path === '/autodiscover/autodiscover.json') {
      if (p.proxyshell) res.writeHead(302, { Location: '/owa/' }).end();
      else res.writeHead(400).end();
      return;
    }
    res.writeHead(404).end();
  };
}
