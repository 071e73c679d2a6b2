// Pre-warming benchmark, each figure a ratio against a reference measured in the same run on loopback:
//  1. small bodies: 10 KB from nginx, requests/s of `prewarm` (the requesting phase, from its summary)
//     against wrk on the same server with the same connection count: target >= 0.5x.
//     (The raw undici dispatch loop is printed too, as the ceiling of any Node client here.)
//  2. latency-bound: an origin adding 200 ms, 1000 workers: requests/s against the ideal 5000/s: target >= 0.95;
//     over --http2 with at most 16 connections (a TLS h2 server adding 200 ms): target >= 0.97.
//  3. memory: 1,000,000 URLs (a synthetic listing) against nginx: peak RSS <= 100 MB, and peak RSS of the
//     1M run <= 1.2x that of a 100k run; 1M URLs as 250k files x 2 edges x 2 cache-key variant sets: <= 100 MB too.
//  4. large bodies: 20 MB derivatives from nginx, one connection: MB/s against curl fetching the same URLs
//     over one connection, median of paired rounds: target >= 0.8x; peak RSS stays flat (reported).
// Each prewarm figure is the default plain-http client (counting-connection.ts); the same run with
// --http-client undici, a bare undici loop and node:http are printed beside it as the other approaches.
// Prints `RESULT <name> | <figure> | <target> | pass|fail` lines. Sizes can be cut down for a quick look:
// BENCH_PREWARM_SMALL=N (requests, default 100000), BENCH_PREWARM_MEMORY=N (default 1000000),
// BENCH_PREWARM_LARGE=N (20 MB requests per round, default 50), BENCH_PREWARM_LARGE_ROUNDS (default 5),
// BENCH_PREWARM_SMALL_ROUNDS (default 3), BENCH_PREWARM_SKIP=small,latency,http2,memory,large.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { chmodSync, createWriteStream, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(root, 'bin', 'media-toolkit.js');
const SMALL_N = Number(process.env.BENCH_PREWARM_SMALL ?? 100_000);
const MEMORY_N = Number(process.env.BENCH_PREWARM_MEMORY ?? 1_000_000);
const LARGE_N = Number(process.env.BENCH_PREWARM_LARGE ?? 50);
const LARGE_ROUNDS = Number(process.env.BENCH_PREWARM_LARGE_ROUNDS ?? 5);
const SMALL_ROUNDS = Number(process.env.BENCH_PREWARM_SMALL_ROUNDS ?? 3);
const LATENCY_N = Number(process.env.BENCH_PREWARM_LATENCY ?? 100_000);
const SKIP = new Set((process.env.BENCH_PREWARM_SKIP ?? '').split(',').filter(Boolean));
const CONNECTIONS = 50;
const log = (m) => process.stderr.write(`bench prewarm: ${m}\n`);
const result = (name, figure, target, pass) => console.log(`RESULT ${name} | ${figure} | ${target} | ${pass ? 'pass' : 'fail'}`);

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startNginx(dir) {
  const port = await freePort();
  const www = join(dir, 'www');
  mkdirSync(join(dir, 'logs'), { recursive: true });
  mkdirSync(www, { recursive: true });
  writeFileSync(join(www, 'small.bin'), Buffer.alloc(10 * 1024, 7));
  writeFileSync(join(www, 'tiny.bin'), Buffer.alloc(100, 7));
  writeFileSync(join(www, 'large.bin'), Buffer.alloc(20 * 1024 * 1024, 7));
  // Every derivative URL of a key under /s/, /t/ or /l/ answers with the 10 KB, 100 B or 20 MB file.
  // One process (no master), so stopping the child stops nginx.
  const conf = `worker_processes 1;
master_process off;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 65;
  sendfile on;
  client_body_temp_path ${dir}/tmp;
  proxy_temp_path ${dir}/tmp;
  fastcgi_temp_path ${dir}/tmp;
  uwsgi_temp_path ${dir}/tmp;
  scgi_temp_path ${dir}/tmp;
  server {
    listen 127.0.0.1:${port};
    listen 127.0.0.2:${port};
    root ${www};
    location /s/ { try_files /small.bin =404; }
    location /t/ { try_files /tiny.bin =404; }
    location /l/ { try_files /large.bin =404; }
  }
}
`;
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child = spawn('nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const r = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://127.0.0.1:${port}/s/x`]);
    if (String(r.stdout) === '200') return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
  }
  child.kill('SIGKILL');
  throw new Error('nginx did not start');
}

/** Runs the CLI, sampling its peak RSS (VmHWM) from /proc. */
function runPrewarm(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'prewarm', '--progress', 'false', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakKb = 0;
    let cpuTicks = 0;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
        // utime + stime (fields 14 and 15, clock ticks): CPU spent, which a loaded machine does not inflate as it does wall time.
        const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        cpuTicks = Math.max(cpuTicks, Number(f[11]) + Number(f[12]));
      } catch {
        /* exited */
      }
    };
    const timer = setInterval(sample, 100);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      if (code !== 0) return reject(new Error(`prewarm exited ${code}: ${stderr.slice(-500)}`));
      resolve({ stdout, peakMb: peakKb / 1024, cpuSeconds: cpuTicks / 100 });
    });
  });
}

async function listing(path, n, prefix, size) {
  const out = createWriteStream(path);
  let buf = '';
  for (let i = 0; i < n; i++) {
    buf += `{"key":"${prefix}/v${i}.mp4","size":${size}}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

function summaryOf(output) {
  return JSON.parse(readFileSync(output.replace(/\.json$/, '.summary.json'), 'utf8'));
}

function wrk(url, seconds) {
  const r = spawnSync('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, url], { encoding: 'utf8' });
  const m = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout ?? '');
  if (!m) throw new Error(`wrk failed: ${r.stderr}`);
  return Number(m[1]);
}

/** The bare undici dispatch loop: the ceiling of any Node client on this machine. Returns req/s and bytes/s. */
async function rawUndici(url, n, connections = CONNECTIONS) {
  const { Agent } = await import('undici');
  const { origin, pathname } = new URL(url);
  const agent = new Agent({ connections, pipelining: 1 });
  let bytes = 0;
  let started = 0;
  const one = () =>
    new Promise((resolve) =>
      agent.dispatch({ origin, path: pathname, method: 'GET' }, { onConnect() {}, onHeaders: () => true, onData: (c) => ((bytes += c.length), true), onComplete: resolve, onError: resolve }),
    );
  const t0 = performance.now();
  await Promise.all(Array.from({ length: connections }, async () => {
    while (started < n) {
      started++;
      await one();
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  await agent.close();
  return { rps: n / seconds, bytesPerSecond: bytes / seconds };
}

/** The bare undici loop split over `procs` processes (connections shared out): does a second core help? */
async function rawUndiciProcesses(url, n, procs) {
  const code = `const { Agent } = await import(${JSON.stringify(join(root, 'node_modules', 'undici', 'index.js'))});
const [url, n, c] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const { origin, pathname } = new URL(url);
const agent = new Agent({ connections: c });
let started = 0;
const one = () => new Promise((resolve) => agent.dispatch({ origin, path: pathname, method: 'GET' }, { onConnect() {}, onHeaders: () => true, onData: () => true, onComplete: resolve, onError: resolve }));
await Promise.all(Array.from({ length: c }, async () => { while (started < n) { started++; await one(); } }));
await agent.close();`;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: procs }, () => new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code, url, String(Math.round(n / procs)), String(CONNECTIONS / procs)], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', resolve);
  })));
  return n / ((performance.now() - t0) / 1000);
}

function curlThroughput(url, n) {
  // One curl, one connection, n URLs: MB/s over curl's own transfer times (process start-up excluded,
  // as prewarm's figure excludes its own).
  const args = ['-s', '-w', '%{size_download} %{time_total}\n'];
  for (let i = 0; i < n; i++) args.push('-o', '/dev/null', `${url}/l/v${i}.mp4?imwidth=1920`);
  const r = spawnSync('curl', args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  let bytes = 0;
  let seconds = 0;
  for (const l of r.stdout.split('\n').filter(Boolean)) {
    const [b, t] = l.split(' ').map(Number);
    bytes += b;
    seconds += t;
  }
  return bytes / seconds / 1e6;
}

/** node:http, one keep-alive socket, bodies counted in 'data' and dropped: MB/s. */
async function nodeHttpThroughput(url, n) {
  const http = await import('node:http');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let bytes = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await new Promise((resolve, reject) =>
      http.get(`${url}/l/v${i}.mp4?imwidth=1920`, { agent }, (res) => {
        res.on('data', (c) => (bytes += c.length));
        res.on('end', resolve);
      }).on('error', reject),
    );
  }
  agent.destroy();
  return bytes / ((performance.now() - t0) / 1000) / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = await mkdtemp(join(tmpdir(), 'mt-bench-prewarm-'));
// nginx may run as nobody: the folder must be readable.
chmodSync(dir, 0o755);
const nginx = await startNginx(dir);
try {
  if (!SKIP.has('small')) {
    // Paired rounds, wrk then each client, median of the per-round ratios: one round swings +-30% on this shared machine.
    log(`small bodies: ${SMALL_ROUNDS} rounds of wrk, prewarm (counting client) and prewarm --http-client undici, ${SMALL_N} requests, ${CONNECTIONS} connections`);
    await listing(join(dir, 'small-listing.jsonl'), SMALL_N, 's', 10240);
    const counting = [];
    const undici = [];
    const cpu = { counting: [], undici: [] };
    let lastWrk = 0;
    for (let round = 0; round < SMALL_ROUNDS; round++) {
      const wrkRps = wrk(`${nginx.url}/s/v1.mp4?imwidth=1920`, 4);
      lastWrk = wrkRps;
      for (const [client, into] of [['counting', counting], ['undici', undici]]) {
        const out = join(dir, `small-${client}-${round}.json`);
        const run = await runPrewarm(['--listing-file', join(dir, 'small-listing.jsonl'), '--base-url', nginx.url, '--derivatives', 'desktop', '--workers', String(CONNECTIONS), '--output', out, '--http-client', client]);
        into.push(summaryOf(out).requestsPerSecond / wrkRps);
        cpu[client].push((run.cpuSeconds * 1e6) / SMALL_N);
      }
      log(`round ${round + 1}: wrk ${wrkRps.toFixed(0)} req/s, counting ${counting[round].toFixed(2)}x, undici ${undici[round].toFixed(2)}x`);
    }
    const raw = (await rawUndici(`${nginx.url}/s/v1.mp4`, Math.min(SMALL_N, 100_000))).rps;
    const ratio = median(counting);
    result('prewarm small bodies vs wrk', `${ratio.toFixed(2)}x (median of ${SMALL_ROUNDS} paired rounds: ${counting.map((r) => r.toFixed(2)).join(', ')})`, '>= 0.5x', ratio >= 0.5);
    result('prewarm --http-client undici small bodies vs wrk (info)', `${median(undici).toFixed(2)}x (${undici.map((r) => r.toFixed(2)).join(', ')})`, 'info', true);
    result('prewarm CPU per request, counting client against undici (info)', `${median(cpu.counting).toFixed(0)} vs ${median(cpu.undici).toFixed(0)} µs (whole process: start-up, requests, results file)`, 'info', true);
    result('raw undici loop vs wrk (info)', `${(raw / lastWrk).toFixed(2)}x (${raw.toFixed(0)} req/s)`, 'info', true);
    // Would a second core help? Two processes of the bare loop, 25 connections each, on the same server.
    const two = await rawUndiciProcesses(`${nginx.url}/s/v1.mp4`, Math.min(SMALL_N, 100_000), 2);
    result('raw undici in 2 processes vs wrk (info)', `${(two / lastWrk).toFixed(2)}x (${two.toFixed(0)} req/s, one process ${raw.toFixed(0)})`, 'info', true);
  }

  if (!SKIP.has('latency')) {
    log('latency-bound: origin adding 200 ms, 1000 workers');
    // A bare TCP server answering each request 200 ms later: node:http itself cannot serve 5000 req/s
    // over 1000 connections on a busy 2-core machine, and the figure must measure the client.
    const body = 'x'.repeat(1024);
    const response = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nContent-Type: video/mp4\r\n\r\n${body}`);
    const slow = createNetServer((sock) => {
      let pending = '';
      sock.setNoDelay(true);
      sock.on('data', (d) => {
        pending += d.toString('latin1');
        let at;
        while ((at = pending.indexOf('\r\n\r\n')) >= 0) {
          pending = pending.slice(at + 4);
          setTimeout(() => sock.writable && sock.write(response), 200);
        }
      });
      sock.on('error', () => {});
    });
    await new Promise((r) => slow.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r));
    const url = `http://127.0.0.1:${slow.address().port}`;
    const n = LATENCY_N;
    await listing(join(dir, 'latency-listing.jsonl'), n, 'x', 1000);
    const out = join(dir, 'latency.json');
    await runPrewarm(['--listing-file', join(dir, 'latency-listing.jsonl'), '--base-url', url, '--derivatives', 'desktop', '--workers', '1000', '--output', out]);
    const outU = join(dir, 'latency-undici.json');
    await runPrewarm(['--listing-file', join(dir, 'latency-listing.jsonl'), '--base-url', url, '--derivatives', 'desktop', '--workers', '1000', '--output', outU, '--http-client', 'undici']);
    const rawLat = await rawUndici(`${url}/x`, Math.min(n, 15_000), 1000);
    slow.close();
    const s = summaryOf(out);
    const ratio = s.requestsPerSecond / 5000;
    result('prewarm latency-bound 200 ms x 1000 workers', `${ratio.toFixed(3)} of ideal (${s.requestsPerSecond.toFixed(0)} of 5000 req/s)`, '>= 0.95', ratio >= 0.95);
    const su = summaryOf(outU);
    result('prewarm --http-client undici latency-bound (info)', `${(su.requestsPerSecond / 5000).toFixed(3)} of ideal (${su.requestsPerSecond.toFixed(0)} req/s)`, 'info', true);
    result('raw undici latency-bound, same server (info)', `${(rawLat.rps / 5000).toFixed(3)} of ideal (${rawLat.rps.toFixed(0)} req/s)`, 'info', true);
  }

  if (!SKIP.has('http2')) {
    log('latency-bound over HTTP/2: a TLS h2 server adding 200 ms, 1000 workers, 16 connections');
    const { createSecureServer } = await import('node:http2');
    const selfsigned = (await import('selfsigned')).default;
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'bench' }], { keySize: 2048, days: 1, extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }] });
    const body = Buffer.alloc(1024, 120);
    const h2 = createSecureServer({ key: pems.private, cert: pems.cert, settings: { maxConcurrentStreams: 1000 } });
    h2.on('stream', (stream) => {
      stream.on('error', () => {});
      setTimeout(() => {
        if (stream.destroyed) return;
        stream.respond({ ':status': 200, 'content-length': body.length, 'content-type': 'video/mp4' });
        stream.end(body);
      }, 200);
    });
    await new Promise((r) => h2.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${h2.address().port}`;
    const n = LATENCY_N;
    await listing(join(dir, 'h2-listing.jsonl'), n, 'x', 1000);
    const out = join(dir, 'h2.json');
    const run = await runPrewarm(['--listing-file', join(dir, 'h2-listing.jsonl'), '--base-url', url, '--derivatives', 'desktop', '--workers', '1000', '--http2', '--h2-connections', '16', '--insecure', '--output', out]);
    h2.close();
    const s = summaryOf(out);
    const ratio = s.requestsPerSecond / 5000;
    result('prewarm --http2 latency-bound 200 ms x 1000 workers, 16 connections', `${ratio.toFixed(3)} of ideal (${s.requestsPerSecond.toFixed(0)} of 5000 req/s)`, '>= 0.97', ratio >= 0.97 && s.stats.overall.ok === n);
    result('prewarm --http2 client CPU per request (info)', `${((run.cpuSeconds * 1e6) / n).toFixed(0)} µs (whole process; peak RSS ${run.peakMb.toFixed(0)} MB)`, 'info', true);
  }

  if (!SKIP.has('memory')) {
    const small = Math.round(MEMORY_N / 10);
    log(`memory: ${small} then ${MEMORY_N} URLs against nginx (100 B bodies)`);
    await listing(join(dir, 'mem-small-listing.jsonl'), small, 't', 1000);
    await listing(join(dir, 'mem-big-listing.jsonl'), MEMORY_N, 't', 1000);
    const a = await runPrewarm(['--listing-file', join(dir, 'mem-small-listing.jsonl'), '--base-url', nginx.url, '--derivatives', 'desktop', '--workers', String(CONNECTIONS), '--output', join(dir, 'mem-small.json')]);
    await rm(join(dir, 'mem-small-listing.jsonl'));
    const b = await runPrewarm(['--listing-file', join(dir, 'mem-big-listing.jsonl'), '--base-url', nginx.url, '--derivatives', 'desktop', '--workers', String(CONNECTIONS), '--output', join(dir, 'mem-big.json')]);
    const s = summaryOf(join(dir, 'mem-big.json'));
    log(`peak RSS ${a.peakMb.toFixed(1)} MB at ${small}, ${b.peakMb.toFixed(1)} MB at ${MEMORY_N} (${s.requestsPerSecond} req/s)`);
    result(`prewarm peak RSS at ${MEMORY_N} URLs`, `${b.peakMb.toFixed(1)} MB`, '<= 100 MB', b.peakMb <= 100 && s.totalRecords === MEMORY_N);
    const growth = b.peakMb / a.peakMb;
    result(`prewarm RSS ${MEMORY_N} vs ${small} URLs`, `${growth.toFixed(2)}x`, '<= 1.2x', growth <= 1.2);
    // The same number of URLs as a quarter of the files x 2 edges x 2 cache-key variant sets: streamed, never materialised.
    await listing(join(dir, 'mem-edge-listing.jsonl'), MEMORY_N / 4, 't', 1000);
    const port = new URL(nginx.url).port;
    const e = await runPrewarm(['--listing-file', join(dir, 'mem-edge-listing.jsonl'), '--base-url', nginx.url, '--derivatives', 'desktop', '--workers', String(CONNECTIONS),
      '--edge', `127.0.0.1:${port}`, '--edge', `127.0.0.2:${port}`, '--variant-header', 'Accept: image/avif', '--variant-header', 'Accept: image/jpeg', '--output', join(dir, 'mem-edge.json')]);
    const se = summaryOf(join(dir, 'mem-edge.json'));
    result(`prewarm peak RSS at ${MEMORY_N} URLs = ${MEMORY_N / 4} files x 2 edges x 2 sets`, `${e.peakMb.toFixed(1)} MB (${(e.peakMb / b.peakMb).toFixed(2)}x the plain run)`, '<= 100 MB', e.peakMb <= 100 && se.totalRecords === MEMORY_N);
  }

  if (!SKIP.has('large')) {
    // Paired rounds, curl then prewarm, median of the per-round ratios: one pair swings +-20% here.
    log(`large bodies: ${LARGE_ROUNDS} rounds of ${LARGE_N} x 20 MB, one connection, curl then prewarm`);
    await listing(join(dir, 'large-listing.jsonl'), LARGE_N, 'l', 20 * 1024 * 1024);
    const ratios = [];
    const undiciRatios = [];
    const rows = [];
    let peakMb = 0;
    let allOk = true;
    for (let round = 0; round < LARGE_ROUNDS; round++) {
      const curlMBs = curlThroughput(nginx.url, LARGE_N);
      const out = join(dir, `large-${round}.json`);
      const run = await runPrewarm(['--listing-file', join(dir, 'large-listing.jsonl'), '--base-url', nginx.url, '--derivatives', 'desktop', '--workers', '1', '--output', out]);
      const s = summaryOf(out);
      const mbs = s.stats.overall.bytesReceived / s.requestSeconds / 1e6;
      ratios.push(mbs / curlMBs);
      const outU = join(dir, `large-undici-${round}.json`);
      await runPrewarm(['--listing-file', join(dir, 'large-listing.jsonl'), '--base-url', nginx.url, '--derivatives', 'desktop', '--workers', '1', '--output', outU, '--http-client', 'undici']);
      const su = summaryOf(outU);
      undiciRatios.push(su.stats.overall.bytesReceived / su.requestSeconds / 1e6 / curlMBs);
      rows.push(`${mbs.toFixed(0)}/${curlMBs.toFixed(0)}`);
      peakMb = Math.max(peakMb, run.peakMb);
      allOk &&= s.stats.overall.ok === LARGE_N;
    }
    const ratio = median(ratios);
    log(`large bodies, prewarm/curl MB/s per round: ${rows.join(', ')}`);
    const curlMBs = curlThroughput(nginx.url, LARGE_N);
    const rawLarge = await rawUndici(`${nginx.url}/l/v1.mp4`, LARGE_N, 1);
    const nodeHttp = await nodeHttpThroughput(nginx.url, LARGE_N);
    result('node:http 20 MB bodies vs curl (info)', `${(nodeHttp / curlMBs).toFixed(2)}x (${nodeHttp.toFixed(0)} vs ${curlMBs.toFixed(0)} MB/s)`, 'info', true);
    result('prewarm --http-client undici 20 MB bodies vs curl (info)', `${median(undiciRatios).toFixed(2)}x (median of ${LARGE_ROUNDS}: ${undiciRatios.map((r) => r.toFixed(2)).join(', ')})`, 'info', true);
    result('raw undici 20 MB bodies vs curl (info)', `${(rawLarge.bytesPerSecond / 1e6 / curlMBs).toFixed(2)}x (${(rawLarge.bytesPerSecond / 1e6).toFixed(0)} vs ${curlMBs.toFixed(0)} MB/s)`, 'info', true);
    result('prewarm 20 MB bodies vs curl', `${ratio.toFixed(2)}x (median of ${LARGE_ROUNDS} paired rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')})`, '>= 0.8x', ratio >= 0.8 && allOk);
    result('prewarm peak RSS with 20 MB bodies (info)', `${peakMb.toFixed(1)} MB for ${((LARGE_N * 20) / 1024).toFixed(1)} GiB received`, 'flat', peakMb < 150);
  }
} finally {
  nginx.stop();
  await rm(dir, { recursive: true, force: true });
}
