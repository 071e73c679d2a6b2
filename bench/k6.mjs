// k6 scenario benchmark, ratios against references measured in the same run on loopback:
//  1. iterations/s of dist/loadtest.js vs a minimal k6 script requesting the same URLs (10,000 records)
//     (same ranged bytes, same VUs and stages): target >= 0.9x. Also printed: k6's CPU time
//     per iteration of each (informational): the scenario's checks, metrics and range logic
//     cost CPU in k6's JS runtime, which only shows in iterations/s when k6 is the bottleneck.
//  2. k6 peak RSS with a 100,000-record results file vs a 1,000-record one at 500 VUs:
//     target <= 1.5x (the SharedArray keeps one copy, whatever the VU count).
//  3. player mode (MODE=player) over real ffmpeg-made MP4 files (512 kbit/s, so a 4 s chunk is 256 KB, the
//     reference's range): k6 CPU per request against the minimal script's: target <= 1.3x (median of paired
//     rounds); and peak RSS at 500 VUs in player mode against random mode over the same records: target <= 1.5x.
// Prints `RESULT <name> | <figure> | <target> | pass|fail` lines.
import { spawn } from 'node:child_process';
import { link, mkdtemp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = process.env.BENCH_K6_BUNDLE || join(root, 'dist', 'loadtest.js');
const k6bin = process.env.K6_BIN || join(root, 'tools', 'bin', 'k6');
const VUS = Number(process.env.BENCH_K6_VUS ?? 20);
const SECONDS = Number(process.env.BENCH_K6_SECONDS ?? 5);
const RSS_VUS = Number(process.env.BENCH_K6_RSS_VUS ?? 500);
// Ranges of 256 KiB: the middle of the scenario's default 50-500 KB chunks, the same for both scripts.
const CHUNK = Number(process.env.BENCH_K6_CHUNK_KB ?? 256) * 1024;
// 5,000 source files, 10,000 records: a results file of realistic size, above any per-VU
// shortcut for small record sets (scenarios/lib/data.ts KEEP_DECODED_UP_TO).
const KEYS = Number(process.env.BENCH_K6_KEYS ?? 5000);
// Which parts to run (comma-separated): throughput, latency, rss. All by default.
const PARTS = new Set((process.env.BENCH_K6_PARTS ?? 'throughput,latency,rss,player').split(',').map((p) => p.trim()));
const PLAYER_ROUNDS = Number(process.env.BENCH_K6_PLAYER_ROUNDS ?? 6);
const PLAYER_KEYS = Number(process.env.BENCH_K6_PLAYER_KEYS ?? 2000);
// Real seconds per media second in the player rows: 0.01 plays a 60 s session in 0.6 s, paced by playback (sleeping
// while the buffer is full), as a real player is.
const PLAYER_TIME_SCALE = Number(process.env.BENCH_K6_PLAYER_TIME_SCALE ?? 0.01);
const log = (m) => process.stderr.write(`bench k6: ${m}\n`);

function startOrigin(dir, extra = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'media-toolkit.js'), 'origin', '--root', dir, '--port', '0', '--synthetic-bytes-per-width', '256', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /origin listening on (\S+)/.exec(buf);
      if (m) resolve({ url: m[1], stop: () => child.kill('SIGTERM') });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`origin exited ${code}`)));
  });
}

/** utime + stime of a process, seconds (clock ticks of 1/100 s). */
function cpuOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** http_reqs so far, from k6's REST API. */
async function k6Requests(port) {
  const r = await fetch(`http://127.0.0.1:${port}/v1/metrics/http_reqs`);
  const j = await r.json();
  return Number(j.data.attributes.sample.count ?? 0);
}

let apiPort = 16565;

/**
 * Runs k6 with its REST API on a port of its own and measures the steady state
 * only: k6's CPU and its request count at `fromMs` and `toMs` after the start,
 * so start-up (every VU compiling the script, the records being read) and the
 * end-of-test summary are left out. Resolves to { code, stderr, usPerRequest, requests }.
 */
function runK6Window(args, cwd, fromMs, toMs) {
  const port = apiPort++;
  return new Promise((resolve, reject) => {
    const child = spawn(k6bin, ['run', '--address', `127.0.0.1:${port}`, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH, HOME: process.env.HOME ?? tmpdir() } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const marks = [];
    const mark = async () => {
      try {
        const cpu = cpuOf(child.pid);
        marks.push({ cpu, reqs: await k6Requests(port) });
      } catch {
        /* not up yet, or gone */
      }
    };
    const t1 = setTimeout(mark, fromMs);
    const t2 = setTimeout(mark, toMs);
    const kill = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(t1);
      clearTimeout(t2);
      clearTimeout(kill);
      const [a, b] = marks;
      const requests = a && b ? b.reqs - a.reqs : 0;
      resolve({ code, stderr, requests, usPerRequest: requests > 0 ? ((b.cpu - a.cpu) / requests) * 1e6 : NaN });
    });
  });
}

/** Runs k6; samples its VmHWM (peak RSS) from /proc while it runs. */
function runK6(args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(k6bin, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH, HOME: process.env.HOME ?? tmpdir() } });
    let stderr = '';
    let peakKb = 0;
    let cpuTicks = 0;
    child.stderr.on('data', (d) => (stderr += d));
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        cpuTicks = Number(f[11]) + Number(f[12]); // utime + stime
      } catch {
        /* exited */
      }
    };
    const timer = setInterval(sample, 100);
    const kill = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      clearTimeout(kill);
      resolve({ code, stderr, peakKb, cpuSeconds: cpuTicks / 100 });
    });
  });
}

function record(key, d, w, h) {
  const size = w * 256;
  return { key, derivative: d, kind: 'derivative', url: '', status: 200, ok: true, attempts: 1, ttfbMs: 10, totalMs: 20, bytesReceived: size, contentLength: size,
    contentType: 'video/mp4', cacheStatus: 'miss', errorClass: null, errorMessage: null, sourceSize: 4096, sizeCategory: 'small', width: w, height: h, startedAt: '2026-01-01T00:00:00.000Z' };
}

async function writeResults(path, keys) {
  const records = [];
  for (const key of keys) records.push(record(key, 'desktop', 1920, 1080), record(key, 'mobile', 854, 640));
  await writeFile(path, JSON.stringify({ version: 1, generatedAt: new Date().toISOString(), baseUrl: 'http://x', urlFormat: 'imwidth', records }));
  return records;
}

const REFERENCE = `
import http from 'k6/http';
import { sleep } from 'k6';
import exec from 'k6/execution';
import { SharedArray } from 'k6/data';
const urls = new SharedArray('urls', () => JSON.parse(open(__ENV.URLS_FILE)));
export const options = {
  discardResponseBodies: true,
  scenarios: { media: { executor: 'ramping-vus', startVUs: 0, stages: JSON.parse(__ENV.STAGES), gracefulRampDown: '5s' } },
};
const pace = Number(__ENV.PACE || 0);
export default function () {
  http.get(urls[exec.scenario.iterationInTest % urls.length], { headers: { Range: 'bytes=0-${CHUNK - 1}' } });
  if (pace > 0) sleep(pace);
}
`;

const dir = await mkdtemp(join(tmpdir(), 'mt-bench-k6-'));
let origin;
try {
  await mkdir(join(dir, 'bucket', 'videos'), { recursive: true });
  const keys = Array.from({ length: KEYS }, (_, i) => `videos/clip ${i}.mp4`);
  const source = Buffer.alloc(4096, 1);
  for (const k of keys) await writeFile(join(dir, 'bucket', k), source);
  origin = await startOrigin(join(dir, 'bucket'));
  const results = join(dir, 'results.json');
  await writeResults(results, keys);
  await writeFile(join(dir, 'urls.json'), JSON.stringify(keys.flatMap((k) => [1920, 854].map((w) => `${origin.url}/${k.split('/').map(encodeURIComponent).join('/')}?imwidth=${w}`))));
  await writeFile(join(dir, 'reference.js'), REFERENCE);
  const ramp = Math.max(1, Math.round(SECONDS / 8));
  const stages = [{ target: VUS, duration: `${ramp}s` }, { target: VUS, duration: `${SECONDS}s` }];

  const refCpu = [];
  const ltCpu = [];
  const iterRate = async (which, target = origin) => {
    const summary = join(dir, `${which}-export.json`);
    const common = ['run', '--quiet', '--no-usage-report', '--summary-export', summary];
    const args = which === 'reference'
      ? [...common, '-e', `URLS_FILE=${join(dir, target === origin ? 'urls.json' : 'urls-latency.json')}`, '-e', `STAGES=${JSON.stringify(stages)}`, join(dir, 'reference.js')]
      : [...common, '-e', `BASE_URL=${target.url}`, '-e', `RESULTS_FILE=${results}`, '-e', `STAGE1_USERS=${VUS}`, '-e', `STAGE1_DURATION=${ramp}s`,
        '-e', `STAGE2_USERS=${VUS}`, '-e', `STAGE2_DURATION=${SECONDS}s`, '-e', 'MIN_SLEEP=0', '-e', 'MAX_SLEEP=0', '-e', 'RANGE_PROBABILITY=1',
        '-e', `MIN_CHUNK_KB=${CHUNK / 1024}`, '-e', `MAX_CHUNK_KB=${CHUNK / 1024}`, '-e', `SUMMARY_JSON=${join(dir, 'lt.json')}`,
        '-e', `SUMMARY_MD=${join(dir, 'lt.md')}`, '-e', `JUNIT_XML=${join(dir, 'lt.xml')}`, bundle];
    const r = await runK6(args, dir);
    if (r.code !== 0) throw new Error(`${which} k6 run exited ${r.code}: ${r.stderr.split('\n').slice(-3).join(' ')}`);
    const data = JSON.parse(await readFile(summary, 'utf8'));
    const it = data.metrics.iterations.values ?? data.metrics.iterations;
    const cpuUs = (r.cpuSeconds / it.count) * 1e6;
    log(`${which}: ${it.rate.toFixed(0)} it/s, k6 CPU ${cpuUs.toFixed(0)} us/iteration`);
    (which === 'reference' ? refCpu : ltCpu).push(cpuUs);
    return it.rate;
  };

  // Interleaved rounds, each a reference run and a loadtest run, the order
  // alternating from round to round (whichever runs second may find the origin
  // warmer or the machine busier): the ratio of a round compares runs seconds
  // apart, and the median of the rounds' ratios resists a shared machine's load
  // coming and going.
  // Eight rounds: on a shared 2-core machine single rounds range over +-20%.
  const ROUNDS = PARTS.has('throughput') ? Number(process.env.BENCH_K6_ROUNDS ?? 8) : 0;
  const ratios = [];
  const ref = [];
  const lt = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      ref.push(await iterRate('reference'));
      lt.push(await iterRate('loadtest'));
    } else {
      lt.push(await iterRate('loadtest'));
      ref.push(await iterRate('reference'));
    }
    ratios.push(lt[round] / ref[round]);
    log(`round ${round + 1}: reference ${ref[round].toFixed(0)} it/s, loadtest ${lt[round].toFixed(0)} it/s, ratio ${ratios[round].toFixed(2)}`);
  }
  const median = (xs) => {
    const a = [...xs].sort((x, y) => x - y);
    return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  };
  if (ROUNDS > 0) {
    const throughput = median(ratios);
    console.log(`RESULT k6 loadtest.js iterations/s vs minimal script (${VUS} VUs, ${CHUNK / 1024} KiB ranges, median of ${ROUNDS} paired rounds) | ${throughput.toFixed(2)}x (median ${median(lt).toFixed(0)} vs ${median(ref).toFixed(0)} it/s) | >= 0.9x | ${throughput >= 0.9 ? 'pass' : 'fail'}`);

    const cpuRatio = median(ltCpu) / median(refCpu);
    console.log(`RESULT k6 CPU per iteration, loadtest.js vs minimal script (informational) | ${cpuRatio.toFixed(2)}x (median ${median(ltCpu).toFixed(0)} vs ${median(refCpu).toFixed(0)} us) | info | ${cpuRatio <= 3 ? 'pass' : 'fail'}`);
  }

  // The same comparison against an origin 5 ms away (a CDN is never 0 ms away): informational.
  if (PARTS.has('latency')) {
    const slow = await startOrigin(join(dir, 'bucket'), ['--latency-ms', '5']);
    try {
      await writeFile(join(dir, 'urls-latency.json'), JSON.stringify(keys.flatMap((k) => [1920, 854].map((w) => `${slow.url}/${k.split('/').map(encodeURIComponent).join('/')}?imwidth=${w}`))));
      const r = await iterRate('reference', slow);
      const l = await iterRate('loadtest', slow);
      console.log(`RESULT k6 loadtest.js iterations/s vs minimal script, origin latency 5 ms (informational) | ${(l / r).toFixed(2)}x (${l.toFixed(0)} vs ${r.toFixed(0)} it/s) | info | ${l / r >= 0.9 ? 'pass' : 'fail'}`);
    } finally {
      slow.stop();
    }
  }

  // Memory: the same 500-VU run over 1,000 and 100,000 records.
  const rss = async (count) => {
    const file = join(dir, `results-${count}.json`);
    const many = Array.from({ length: count / 2 }, (_, i) => keys[i % keys.length]);
    await writeResults(file, many);
    const r = await runK6(['run', '--quiet', '--no-usage-report', '-e', `BASE_URL=${origin.url}`, '-e', `RESULTS_FILE=${file}`,
      '-e', `STAGE1_USERS=${RSS_VUS}`, '-e', 'STAGE1_DURATION=3s', '-e', `STAGE2_USERS=${RSS_VUS}`, '-e', 'STAGE2_DURATION=4s',
      '-e', 'MIN_SLEEP=1', '-e', 'MAX_SLEEP=1.5', '-e', `SUMMARY_JSON=${join(dir, 'rss.json')}`, '-e', `SUMMARY_MD=${join(dir, 'rss.md')}`,
      '-e', `JUNIT_XML=${join(dir, 'rss.xml')}`, bundle], dir);
    if (r.code !== 0 && r.code !== 99) throw new Error(`rss run (${count}) exited ${r.code}: ${r.stderr.split('\n').slice(-3).join(' ')}`);
    log(`${count} records, ${RSS_VUS} VUs: peak RSS ${(r.peakKb / 1024).toFixed(0)} MiB`);
    return r.peakKb;
  };
  if (PARTS.has('rss')) {
    const small = await rss(1000);
    const large = await rss(100_000);
    const ratio = large / small;
    console.log(`RESULT k6 peak RSS 100k vs 1k records (${RSS_VUS} VUs) | ${ratio.toFixed(2)}x (${(large / 1024).toFixed(0)} vs ${(small / 1024).toFixed(0)} MiB) | <= 1.5x | ${ratio <= 1.5 ? 'pass' : 'fail'}`);
  }
  if (PARTS.has('player')) await playerBench(dir, runK6, median);
} finally {
  origin?.stop();
  await rm(dir, { recursive: true, force: true });
}

/**
 * Player mode: the same MP4 (60 s at 512 kbit/s, faststart) under PLAYER_KEYS keys (hard links), served as
 * files by the origin ({base}/{key}). CPU per request of player sessions against the minimal script
 * requesting 256 KiB ranges of the same files; then peak RSS of 500 VUs, player mode against random mode.
 */
async function playerBench(dir, runK6, median) {
  const lib = join(dir, 'mp4');
  await mkdir(join(lib, 'videos'), { recursive: true });
  const first = join(lib, 'videos', 'clip 0.mp4');
  const ff = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=60',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '512k', '-maxrate', '512k', '-bufsize', '512k', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', first], { stdio: 'inherit' });
  await new Promise((resolve, reject) => ff.on('close', (c) => (c === 0 ? resolve() : reject(new Error(`ffmpeg exited ${c}`)))));
  const size = (await stat(first)).size;
  const keys = ['videos/clip 0.mp4'];
  for (let i = 1; i < PLAYER_KEYS; i++) {
    keys.push(`videos/clip ${i}.mp4`);
    await link(first, join(lib, 'videos', `clip ${i}.mp4`));
  }
  const o = await startOrigin(lib);
  try {
    const results = join(dir, 'player-results.json');
    const records = keys.map((key) => ({ ...record(key, 'original', 0, 0), width: undefined, height: undefined, bytesReceived: size, contentLength: size, sourceSize: size }));
    await writeFile(results, JSON.stringify({ version: 1, generatedAt: new Date().toISOString(), baseUrl: 'http://x', urlFormat: 'imwidth', records }));
    const urls = join(dir, 'player-urls.json');
    await writeFile(urls, JSON.stringify(keys.map((k) => `${o.url}/${k.split('/').map(encodeURIComponent).join('/')}`)));
    // k6 CPU per request in the steady state: between 4 s and 10 s after the start (start-up done, all VUs up).
    const ramp = 1;
    const secs = 11;
    const stages = [{ target: VUS, duration: `${ramp}s` }, { target: VUS, duration: `${secs}s` }];
    const reports = ['-e', `SUMMARY_JSON=${join(dir, 'pl.json')}`, '-e', `SUMMARY_MD=${join(dir, 'pl.md')}`, '-e', `SUMMARY_HTML=${join(dir, 'pl.html')}`, '-e', `JUNIT_XML=${join(dir, 'pl.xml')}`];
    // which: 'reference' (the minimal script, paced like a player: after each 256 KB range it sleeps the
    // range's playback time, 4 s x the time scale), 'player' (MODE=player at that time scale), or their
    // unpaced forms ('reference-free': no sleep; 'player-free': time scale 0.0001, requests back to back).
    const perRequest = async (which) => {
      const common = ['--quiet', '--no-usage-report'];
      const pace = which === 'reference' ? 4 * PLAYER_TIME_SCALE : 0;
      const scale = which === 'player' ? PLAYER_TIME_SCALE : 0.0001;
      const args = which.startsWith('reference')
        ? [...common, '-e', `URLS_FILE=${urls}`, '-e', `STAGES=${JSON.stringify(stages)}`, '-e', `PACE=${pace}`, join(dir, 'reference.js')]
        : which === 'random'
          ? [...common, '-e', `BASE_URL=${o.url}`, '-e', `RESULTS_FILE=${results}`, '-e', 'URL_TEMPLATE={base}/{key}', '-e', `STAGE1_USERS=${VUS}`,
            '-e', `STAGE1_DURATION=${ramp}s`, '-e', `STAGE2_USERS=${VUS}`, '-e', `STAGE2_DURATION=${secs}s`, '-e', 'MIN_SLEEP=0', '-e', 'MAX_SLEEP=0',
            '-e', 'RANGE_PROBABILITY=1', '-e', `MIN_CHUNK_KB=${CHUNK / 1024}`, '-e', `MAX_CHUNK_KB=${CHUNK / 1024}`, ...reports, bundle]
          : [...common, '-e', `BASE_URL=${o.url}`, '-e', `RESULTS_FILE=${results}`, '-e', 'URL_TEMPLATE={base}/{key}', '-e', 'MODE=player',
          '-e', `STAGE1_USERS=${VUS}`, '-e', `STAGE1_DURATION=${ramp}s`, '-e', `STAGE2_USERS=${VUS}`, '-e', `STAGE2_DURATION=${secs}s`,
          '-e', `PLAYER_TIME_SCALE=${scale}`, ...reports, bundle];
      const r = await runK6Window(args, dir, 4000, 10000);
      if (r.code !== 0 && r.code !== 99) throw new Error(`${which} player-bench k6 run exited ${r.code}: ${r.stderr.split('\n').slice(-3).join(' ')}`);
      log(`${which} (player bench): ${r.requests} requests in the window, k6 CPU ${r.usPerRequest.toFixed(0)} us/request`);
      return r.usPerRequest;
    };
    const paired = async (a, b, rounds) => {
      const ratios = [];
      const as = [];
      const bs = [];
      for (let round = 0; round < rounds; round++) {
        if (round % 2 === 0) {
          bs.push(await perRequest(b));
          as.push(await perRequest(a));
        } else {
          as.push(await perRequest(a));
          bs.push(await perRequest(b));
        }
        ratios.push(as[round] / bs[round]);
        log(`${a} vs ${b} round ${round + 1}: CPU/request ${as[round].toFixed(0)} vs ${bs[round].toFixed(0)} us, ratio ${ratios[round].toFixed(2)}`);
      }
      return { ratio: median(ratios), a: median(as), b: median(bs) };
    };
    if (PLAYER_ROUNDS > 0) {
      const p = await paired('player', 'reference', PLAYER_ROUNDS);
      console.log(`RESULT k6 CPU per request, player mode vs the minimal script paced the same (${VUS} VUs, 512 kbit/s MP4, 4 s chunks = 256 KB, time scale ${PLAYER_TIME_SCALE}, steady state, median of ${PLAYER_ROUNDS} paired rounds) | ${p.ratio.toFixed(2)}x (median ${p.a.toFixed(0)} vs ${p.b.toFixed(0)} us) | <= 1.3x | ${p.ratio <= 1.3 ? 'pass' : 'fail'}`);
      const f = await paired('player-free', 'reference-free', Math.max(2, Math.ceil(PLAYER_ROUNDS / 2)));
      console.log(`RESULT k6 CPU per request, player mode unpaced (time scale 0.0001) vs the bare minimal script (informational) | ${f.ratio.toFixed(2)}x (median ${f.a.toFixed(0)} vs ${f.b.toFixed(0)} us) | info | ${f.ratio <= 1.3 ? 'pass' : 'fail'}`);
      const rr = await paired('random', 'reference-free', Math.max(2, Math.ceil(PLAYER_ROUNDS / 2)));
      console.log(`RESULT k6 CPU per request, random mode (256 KiB ranges, no pause) vs the bare minimal script, steady state (informational) | ${rr.ratio.toFixed(2)}x (median ${rr.a.toFixed(0)} vs ${rr.b.toFixed(0)} us) | info | ${rr.ratio <= 1.3 ? 'pass' : 'fail'}`);
    }
    // Memory: 500 VUs, the same records, random mode then player mode.
    const rssRun = async (mode) => {
      const r = await runK6(['run', '--quiet', '--no-usage-report', '-e', `BASE_URL=${o.url}`, '-e', `RESULTS_FILE=${results}`, '-e', 'URL_TEMPLATE={base}/{key}',
        '-e', `MODE=${mode}`, '-e', `STAGE1_USERS=${RSS_VUS}`, '-e', 'STAGE1_DURATION=3s', '-e', `STAGE2_USERS=${RSS_VUS}`, '-e', 'STAGE2_DURATION=6s',
        '-e', 'MIN_SLEEP=1', '-e', 'MAX_SLEEP=1.5', '-e', 'PLAYER_TIME_SCALE=0.1', ...reports, bundle], dir);
      if (r.code !== 0 && r.code !== 99) throw new Error(`rss ${mode} run exited ${r.code}: ${r.stderr.split('\n').slice(-3).join(' ')}`);
      log(`${mode} mode, ${RSS_VUS} VUs: peak RSS ${(r.peakKb / 1024).toFixed(0)} MiB`);
      return r.peakKb;
    };
    const random = await rssRun('random');
    const player = await rssRun('player');
    const ratio = player / random;
    console.log(`RESULT k6 peak RSS, player mode vs random mode (${RSS_VUS} VUs, ${PLAYER_KEYS} MP4 records) | ${ratio.toFixed(2)}x (${(player / 1024).toFixed(0)} vs ${(random / 1024).toFixed(0)} MiB) | <= 1.5x | ${ratio <= 1.5 ? 'pass' : 'fail'}`);
  } finally {
    o.stop();
  }
}
