// `origin --tls`: HTTPS with a self-signed certificate made at start-up (for the host
// it listens on, localhost and 127.0.0.1), served over HTTP/2 and HTTP/1.1 (ALPN), so
// clients' TLS and h2 paths are tested against a real server. The certificate is
// written to a file for the clients' --ca-file.
import { writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';

export interface TlsMaterial {
  key: string;
  cert: string;
}

/** A fresh key pair and a self-signed certificate valid for `hosts` (names and IP addresses) for two days. */
export async function selfSignedCertificate(hosts: readonly string[]): Promise<TlsMaterial> {
  const mod = (await import('selfsigned')) as unknown as { default?: { generate: Generate }; generate?: Generate };
  const generate = (mod.default?.generate ?? mod.generate)!;
  const names = [...new Set(['localhost', '127.0.0.1', ...hosts])];
  const altNames = names.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h }));
  const pems = await generate([{ name: 'commonName', value: 'media-toolkit origin' }], {
    keySize: 2048,
    days: 2,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames }, { name: 'basicConstraints', cA: true }],
  });
  return { key: pems.private, cert: pems.cert };
}

type Generate = (attrs: { name: string; value: string }[], opts: Record<string, unknown>) => Promise<{ private: string; cert: string }>;

export async function writeCertificate(path: string, cert: string): Promise<void> {
  await writeFile(path, cert, { mode: 0o644 });
}
