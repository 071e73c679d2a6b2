// --http2 against `origin --tls` (a self-signed certificate it makes, h2 and HTTP/1.1 by ALPN):
// requests multiplexed over a few connections, --ca-file and --insecure, and verify over h2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createSecureServer, constants } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { selfSignedCertificate } from '../origin/tls.js';
import { startOrigin, type RunningOrigin } from '../origin/index.js';
import { runCli } from './helpers/cli.js';
import type { ResultsFile } from '../common/results-record.js';

let dir: string;
let bucket: string;
let origin: RunningOrigin;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mt-http2-'));
  bucket = join(dir, 'bucket');
  mkdirSync(join(bucket, 'v'), { recursive: true });
  for (let i = 0; i < 20; i++) writeFileSync(join(bucket, 'v', `c${i}.mp4`), Buffer.alloc(300, 1));
  origin = await startOrigin({ root: bucket, tls: true, syntheticBytesPerWidth: 4, faults: { latencyMs: 20 } });
});
afterAll(async () => {
  await origin?.close();
});

describe('origin --tls', () => {
  it('serves HTTPS with a certificate it made, over h2', async () => {
    expect(origin.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = readFileSync(origin.certificateFile!, 'utf8');
    expect(ca).toMatch(/BEGIN CERTIFICATE/);
    const session = connect(origin.url, { ca });
    const status = await new Promise<number>((resolve, reject) => {
      const req = session.request({ ':path': '/v/c1.mp4?imwidth=100' });
      req.on('response', (h) => resolve(Number(h[':status'])));
      req.on('error', reject);
      req.resume();
    });
    session.close();
    expect(status).toBe(200);
  });
});

describe('prewarm --http2', () => {
  it('multiplexes every request over at most --h2-connections connections, then verify over h2 finds them HIT', async () => {
    const out = join(dir, 'h2', 'r.json');
    const before = origin.stats();
    const res = await runCli(['prewarm', '--remote', 'local', '--bucket', bucket, '--base-url', origin.url, '--http2', '--h2-connections', '2', '--ca-file', origin.certificateFile!, '--workers', '30', '--output', out, '--progress', 'false', '--verify', '--min-hit-ratio', '1']);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    const recs = (JSON.parse(readFileSync(out, 'utf8')) as ResultsFile).records;
    expect(recs).toHaveLength(60);
    expect(recs.every((r) => r.ok && r.status === 200)).toBe(true);
    expect(new Set(recs.map((r) => r.edge))).toEqual(new Set([`127.0.0.1:${origin.port}`]));
    expect(res.stdout).toMatch(/verify: 60 of 60 URL\(s\) HIT/);
    // 120 requests from 30 workers: prewarm over 2 h2 connections, verify over its default 4; all of them h2.
    const after = origin.stats();
    expect(after.requests - before.requests).toBe(120);
    expect(after.connections - before.connections).toBeLessThanOrEqual(6);
    expect(after.http2Sessions - before.http2Sessions).toBe(after.connections - before.connections);
  });

  it('--edge over TLS: the certificate is checked against the base URL\'s host name, not the address dialled', async () => {
    const edge = await startOrigin({ root: bucket, tls: true, host: '127.0.0.2', syntheticBytesPerWidth: 4 });
    try {
      const common = ['prewarm', '--remote', 'local', '--bucket', bucket, '--limit', '2', '--derivatives', 'mobile', '--progress', 'false', '--retry', '0', '--ca-file', edge.certificateFile!, '--edge', `127.0.0.2:${edge.port}`];
      // localhost is a name on the certificate: the TLS server name (SNI) and the check use it, and h2 is negotiated.
      const ok = await runCli([...common, '--base-url', `https://localhost:${edge.port}`, '--http2', '--output', join(dir, 'edge-tls.json')]);
      expect(ok.code, ok.stderr + ok.stdout).toBe(0);
      const recs = (JSON.parse(readFileSync(join(dir, 'edge-tls.json'), 'utf8')) as ResultsFile).records;
      expect(recs.every((r) => r.ok && r.edge === `127.0.0.2:${edge.port}`)).toBe(true);
      expect(edge.stats().http2Sessions).toBeGreaterThan(0);
      // A host name the certificate does not carry fails, although the address dialled is the same.
      const bad = await runCli([...common, '--base-url', `https://cdn.media-toolkit.invalid:${edge.port}`, '--output', join(dir, 'edge-tls-bad.json')]);
      expect(bad.code).toBe(1);
      const rec = (JSON.parse(readFileSync(join(dir, 'edge-tls-bad.json'), 'utf8')) as ResultsFile).records[0];
      expect(rec).toMatchObject({ errorClass: 'tls_error', attempts: 1 });
      expect(rec.errorMessage).toMatch(/altnames|Hostname\/IP does not match/i);
    } finally {
      await edge.close();
    }
  });

  it('refuses an unknown certificate unless --ca-file or --insecure, and --http2 needs https', async () => {
    const common = ['prewarm', '--remote', 'local', '--bucket', bucket, '--base-url', origin.url, '--limit', '1', '--derivatives', 'mobile', '--progress', 'false', '--retry', '0'];
    const bad = await runCli([...common, '--output', join(dir, 'bad.json')]);
    expect(bad.code).toBe(1);
    const rec = (JSON.parse(readFileSync(join(dir, 'bad.json'), 'utf8')) as ResultsFile).records[0];
    expect(rec.errorMessage).toMatch(/certificate|self.signed/i);
    expect(rec.errorClass).toBe('tls_error');
    const insecure = await runCli([...common, '--insecure', '--http2', '--output', join(dir, 'insecure.json')]);
    expect(insecure.code, insecure.stderr).toBe(0);
    const plain = await runCli(['prewarm', '--remote', 'local', '--bucket', bucket, '--base-url', 'http://127.0.0.1:1', '--http2']);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/--http2 negotiates h2 over TLS/);
  });

  it('a server without h2 (ALPN picks http/1.1) is warmed over HTTP/1.1 instead, every URL answered', async () => {
    const pems = await selfSignedCertificate([]);
    let h1 = 0;
    const server = createHttpsServer({ key: pems.key, cert: pems.cert }, (req, res) => {
      if (req.httpVersion === '1.1') h1++;
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': '5' });
      res.end('hello');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const out = join(dir, 'h1-only.json');
      const res = await runCli(['prewarm', '--remote', 'local', '--bucket', bucket, '--limit', '5', '--base-url', `https://127.0.0.1:${(server.address() as AddressInfo).port}`, '--http2', '--insecure', '--workers', '8', '--output', out, '--progress', 'false']);
      expect(res.code, res.stderr + res.stdout).toBe(0);
      const recs = (JSON.parse(readFileSync(out, 'utf8')) as ResultsFile).records;
      expect(recs).toHaveLength(15);
      expect(recs.every((r) => r.ok && r.bytesReceived === 5)).toBe(true);
      expect(h1).toBe(15);
    } finally {
      server.close();
    }
  });

  it('a stream the server resets is retried on its own; the other streams of that connection are not disturbed', async () => {
    const pems = await selfSignedCertificate([]);
    const seen = new Map<string, number>();
    let sessions = 0;
    const server = createSecureServer({ key: pems.key, cert: pems.cert });
    server.on('session', () => sessions++);
    server.on('stream', (stream, headers) => {
      const path = String(headers[':path']);
      stream.on('error', () => undefined); // the reset below is an error on the server's side too
      const n = (seen.get(path) ?? 0) + 1;
      seen.set(path, n);
      // The first answer for c3's derivative is cut after its headers and part of its body.
      if (path.startsWith('/v/c3.mp4') && n === 1) {
        stream.respond({ ':status': 200, 'content-length': '100' });
        stream.write(Buffer.alloc(10));
        setTimeout(() => stream.close(constants.NGHTTP2_INTERNAL_ERROR), 20);
        return;
      }
      stream.respond({ ':status': 200, 'content-length': '100', 'content-type': 'video/mp4' });
      stream.end(Buffer.alloc(100));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const out = join(dir, 'reset.json');
      const res = await runCli(['prewarm', '--remote', 'local', '--bucket', bucket, '--base-url', `https://127.0.0.1:${(server.address() as AddressInfo).port}`, '--http2', '--h2-connections', '1', '--insecure', '--workers', '10', '--derivatives', 'mobile', '--output', out, '--progress', 'false']);
      expect(res.code, res.stderr + res.stdout).toBe(0);
      const recs = (JSON.parse(readFileSync(out, 'utf8')) as ResultsFile).records;
      expect(recs).toHaveLength(20);
      expect(recs.every((r) => r.ok && r.bytesReceived === 100)).toBe(true);
      const cut = recs.find((r) => r.key === 'v/c3.mp4')!;
      expect(cut.attempts).toBe(2);
      expect(recs.filter((r) => r.attempts > 1)).toHaveLength(1);
      // One connection carried everything: the reset ended one stream, not the session.
      expect(sessions).toBe(1);
    } finally {
      server.close();
    }
  });
});
