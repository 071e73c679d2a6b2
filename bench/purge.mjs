// Purge throughput against the limits each provider documents: with an API that answers
// at once (the local stand-ins of test/fixtures/vendor-apis.ts, which check every request),
// the only bound left should be the documented rate the purge keeps to. The figure is the
// ideal time (what the documented token bucket allows: the burst at once, then the
// sustained rate) over the measured time, for the whole `media-toolkit purge` process.
//   cloudflare --plan enterprise: 500 URLs a call, 3,000 URLs/s (bucket 3,000)
//   cloudflare --plan free:       30 URLs a call, 800 URLs/s (bucket 800)
//   akamai:                       50,000-byte bodies, 200 URLs/s (bucket 10,000)
// And `--provider http` (no documented limit: one PURGE per URL) against a bare undici loop
// with the same 16 connections on the same local server, in the same run.
// Prints RESULT lines: purge-<provider> | <ratio> of the documented rate (...) | >=0.9 | pass|fail
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cache = join(root, '.cache');
mkdirSync(cache, { recursive: true });
spawnSync(process.execPath, ['build.mjs', '--quiet'], { cwd: root, stdio: 'inherit' });
const { build } = await import(join(root, 'node_modules', 'esbuild', 'lib', 'main.js'));
const fixture = join(cache, 'bench-vendor-apis.mjs');
await build({ entryPoints: [join(root, 'test', 'fixtures', 'vendor-apis.ts')], outfile: fixture, bundle: true, format: 'esm', platform: 'node', packages: 'external', logLevel: 'error' });
const { cloudflareMock, akamaiMock, purgeableEdge } = await import(fixture);
const { request, Pool } = await import(join(root, 'node_modules', 'undici', 'index.js'));

const dir = mkdtempSync(join(tmpdir(), 'mt-bench-purge-'));
const cli = join(root, 'bin', 'media-toolkit.js');

function urls(n, base = 'https://cdn.example.test/media') {
  const file = join(dir, `urls-${n}.txt`);
  writeFileSync(file, `${Array.from({ length: n }, (_, i) => `${base}/videos/clip-${String(i).padStart(6, '0')}.mp4?imwidth=854`).join('\n')}\n`);
  return file;
}

function purge(args, env = {}) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const child = spawn(process.execPath, [cli, 'purge', ...args, '--progress', 'false', '--failed-output', join(dir, 'failed.txt')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`purge exited ${code}: ${out.slice(-1000)}`));
      resolve({ seconds: Number(process.hrtime.bigint() - t) / 1e9, out });
    });
  });
}

/** Node's start-up and the CLI's module loading, measured the same way, are not the purge's. */
async function startup() {
  const t = process.hrtime.bigint();
  spawnSync(process.execPath, [cli, 'purge', '--help'], { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - t) / 1e9;
}

const results = [];
const line = (name, ideal, seconds, detail) => {
  const ratio = ideal / seconds;
  results.push(`RESULT ${name} | ${ratio.toFixed(2)} of the documented rate (${detail}; ${seconds.toFixed(2)} s, ideal ${ideal.toFixed(2)} s) | >=0.9 | ${ratio >= 0.9 ? 'pass' : 'fail'}`);
};

try {
  const boot = await startup();
  process.stderr.write(`bench: purge process start-up ${boot.toFixed(2)} s (taken out of each figure)\n`);

  // Cloudflare Enterprise: 500 URLs a call, 3,000 URLs/s, bucket 3,000.
  {
    const api = await cloudflareMock({ zone: 'z', token: 't', perCall: 500 });
    const n = 15_000;
    const r = await purge(['--provider', 'cloudflare', '--zone-id', 'z', '--plan', 'enterprise', '--batch-size', '500', '--urls-file', urls(n), '--api-base-url', `${api.url}/client/v4`], { CLOUDFLARE_API_TOKEN: 't' });
    if (api.violations.length) throw new Error(api.violations.join('; '));
    const calls = api.requests.length;
    line('purge-cloudflare-enterprise', (n - 3000) / 3000, r.seconds - boot, `${n} URLs in ${calls} calls, ${(n / (r.seconds - boot)).toFixed(0)} URLs/s`);
    await api.close();
  }
  // Cloudflare Free: 30 URLs a call, 800 URLs/s, bucket 800.
  {
    const api = await cloudflareMock({ zone: 'z', token: 't' });
    const n = 4_800;
    const r = await purge(['--provider', 'cloudflare', '--zone-id', 'z', '--plan', 'free', '--urls-file', urls(n), '--api-base-url', `${api.url}/client/v4`], { CLOUDFLARE_API_TOKEN: 't' });
    if (api.violations.length) throw new Error(api.violations.join('; '));
    line('purge-cloudflare-free', (n - 800) / 800, r.seconds - boot, `${n} URLs in ${api.requests.length} calls, ${(n / (r.seconds - boot)).toFixed(0)} URLs/s`);
    await api.close();
  }
  // Akamai: 200 URLs/s sustained after a bucket of 10,000.
  {
    const rc = { host: 'akab-bench.purge.akamaiapis.net', client_token: 'akab-c', client_secret: 'c2VjcmV0', access_token: 'akab-a' };
    const edgerc = join(dir, 'edgerc');
    writeFileSync(edgerc, `[default]\nhost = ${rc.host}\nclient_token = ${rc.client_token}\nclient_secret = ${rc.client_secret}\naccess_token = ${rc.access_token}\n`);
    const api = await akamaiMock({ rc });
    const n = 12_000;
    const r = await purge(['--provider', 'akamai', '--edgerc', edgerc, '--urls-file', urls(n), '--api-base-url', api.url]);
    if (api.violations.length) throw new Error(api.violations.join('; '));
    line('purge-akamai', (n - 10_000) / 200, r.seconds - boot, `${n} URLs in ${api.requests.length} calls of at most 50,000 bytes`);
    await api.close();
  }
  // HTTP PURGE: no documented limit; against a bare undici loop with the same 16 connections.
  {
    const edge = await purgeableEdge('bench');
    const n = 20_000;
    const file = urls(n, edge.url);
    const r = await purge(['--provider', 'http', '--urls-file', file, '--concurrency', '16']);
    const ours = n / (r.seconds - boot);
    const pool = new Pool(edge.url, { connections: 16 });
    let next = 0;
    const t = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < n) {
          const i = next++;
          const res = await request(`${edge.url}/media/videos/clip-${String(i).padStart(6, '0')}.mp4?imwidth=854`, { method: 'PURGE', dispatcher: pool });
          await res.body.dump();
        }
      }),
    );
    const bare = n / (Number(process.hrtime.bigint() - t) / 1e9);
    await pool.close();
    await edge.close();
    const ratio = ours / bare;
    results.push(`RESULT purge-http-vs-bare-undici | ${ratio.toFixed(2)}x (${ours.toFixed(0)} vs ${bare.toFixed(0)} PURGE/s, 16 connections, ${n} URLs) | >=0.8x | ${ratio >= 0.8 ? 'pass' : 'fail'}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
for (const l of results) console.log(l);
