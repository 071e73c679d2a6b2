// Optimize benchmarks, each a ratio against a reference measured in the same run:
// 1. wrapper overhead: runFfmpeg (progress parsing, stderr tail) vs the same argv spawned directly;
//    alternating runs, median of several.
// 2. segment scaling with single-threaded encoders: 2 segments in parallel vs one after the other.
// 3. the CLI's --segment-parallel (single-threaded segments in the run's CPU budget) vs one ffmpeg
//    process on the whole file, plus frame count and SSIM of the joined output against the one-process output.
// 4. what the picture check costs: its wall time against the encode's, sampled (5 windows of 2 s) and
//    --full-quality-check, on a 60 s 720p file and a 15 s one (compared whole by default).
// Prints `RESULT <name> | <figure> | <target> | pass|fail`.
import { build } from 'esbuild';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'mt-bench-optimize-'));
const reps = Number(process.env.BENCH_REPS ?? 15);
// BENCH_PARTS=1,3 runs only those parts (1 wrapper overhead, 2 segment scaling, 3 CLI segment-parallel, 4 picture check).
const parts = new Set((process.env.BENCH_PARTS ?? '1,2,3,4').split(',').map((x) => x.trim()));
const log = (m) => process.stderr.write(`${m}\n`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const result = (name, figure, target, pass) => console.log(`RESULT ${name} | ${figure} | ${target} | ${pass ? 'pass' : 'fail'}`);

function which(name) {
  return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
}
const ffmpeg = process.env.FFMPEG_PATH || which('ffmpeg');

// The wrapper as shipped, bundled from the TypeScript source.
await build({ entryPoints: [join(root, 'media/ffmpeg.ts')], bundle: true, platform: 'node', format: 'esm', outfile: join(work, 'ffmpeg.mjs'), logLevel: 'error' });
const { runFfmpeg, ffmpegArgv } = await import(join(work, 'ffmpeg.mjs'));

function direct(argv) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - t) / 1e6) : reject(new Error(`ffmpeg exit ${code}`))));
  });
}
async function wrapped(args, opts = {}) {
  const t = process.hrtime.bigint();
  let blocks = 0;
  await runFfmpeg(ffmpeg, args, { onProgress: () => blocks++, ...opts });
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, blocks };
}

function make(path, seconds, size = '640x360', gop = 25) {
  execFileSync(ffmpeg, ['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=s=${size}:r=25:d=${seconds}`, '-f', 'lavfi', '-i', `sine=f=440:d=${seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '14', '-g', String(gop), '-keyint_min', String(gop), '-c:a', 'aac', '-shortest', path]);
  return path;
}

try {
  // 1. Wrapper overhead.
  if (parts.has('1')) {
  // A few seconds of encoding per run, so run-to-run jitter (tens of ms) is small against it.
  const src = make(join(work, 'src.mp4'), 10, '1280x720');
  // One encoder thread: ffmpeg keeps one core and the Node process the other, so both runs see the
  // same CPU and the comparison is not drowned in scheduling noise (two x264 threads on two shared
  // cores spread paired runs by +-15%).
  const args = ['-i', src, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-threads', '1', '-c:a', 'copy', '-f', 'mp4', join(work, 'out-overhead.mp4')];
  const argv = ffmpegArgv(ffmpeg, args, true);
  await wrapped(args); // warm the page cache
  const d = [];
  const w = [];
  let blocks = 0;
  for (let i = 0; i < reps; i++) {
    // ABBA order, so a drift in the machine's load does not favour either side
    if (i % 2 === 0) d.push(await direct(argv));
    const r = await wrapped(args);
    w.push(r.ms);
    blocks = r.blocks;
    if (i % 2 === 1) d.push(await direct(argv));
  }
  // Paired ratios (each wrapper run against the direct run beside it) resist a machine shared with other work.
  const overhead = median(w.map((x, i) => x / d[i])) - 1;
  log(`wrapper: fastest runs ${Math.min(...d).toFixed(0)} ms direct, ${Math.min(...w).toFixed(0)} ms wrapped (${((Math.min(...w) / Math.min(...d) - 1) * 100).toFixed(1)}%)`);
  log(`wrapper: direct median ${median(d).toFixed(0)} ms, wrapper median ${median(w).toFixed(0)} ms, ${blocks} progress blocks, runs d=[${d.map((x) => x.toFixed(0))}] w=[${w.map((x) => x.toFixed(0))}]`);
  result('optimize: wrapper overhead vs direct ffmpeg (median)', `${(overhead * 100).toFixed(1)}%`, '<= 3%', overhead <= 0.03);
  }

  // 2. Scaling of single-threaded segment encodes: 2 at once vs one after the other.
  if (parts.has('2')) {
  const long = make(join(work, 'long.mp4'), 16, '640x360', 25);
  const segDir = join(work, 'segs');
  mkdirSync(segDir, { recursive: true });
  await runFfmpeg(ffmpeg, ['-i', long, '-map', '0:v:0', '-c', 'copy', '-f', 'segment', '-segment_time', '8', '-reset_timestamps', '1', '-segment_format', 'matroska', join(segDir, 'src-%03d.mkv')]);
  const segs = readdirSync(segDir).filter((f) => f.startsWith('src-')).sort().map((f) => join(segDir, f));
  const encodeOne = (seg, i) => runFfmpeg(ffmpeg, ['-threads', '1', '-filter_threads', '1', '-i', seg, '-c:v', 'libx264', '-preset', 'fast', '-crf', '23',
    '-threads', '1', '-x264-params', 'threads=1:lookahead-threads=1', '-f', 'matroska', join(segDir, `enc-${i}.mkv`)]);
  const seq = [];
  const par = [];
  for (let i = 0; i < Math.max(3, Math.ceil(reps / 2)); i++) {
    let t = Date.now();
    for (const [j, s] of segs.slice(0, 2).entries()) await encodeOne(s, j);
    seq.push(Date.now() - t);
    t = Date.now();
    await Promise.all(segs.slice(0, 2).map((s, j) => encodeOne(s, j)));
    par.push(Date.now() - t);
  }
  const scaling = median(seq.map((x, i) => x / par[i]));
  log(`scaling: ${segs.length} segments; 2 sequential median ${median(seq)} ms, 2 parallel median ${median(par)} ms (cpus ${availableParallelism()})`);
  result('optimize: 2 single-threaded segments in parallel vs sequential', `${scaling.toFixed(2)}x (${((scaling / 2) * 100).toFixed(0)}% efficiency)`, '>= 1.80x', scaling >= 1.8);
  }

  // 3. The CLI: --segment-parallel vs one process on the whole file (encode time from the report).
  if (parts.has('3')) {
  const lib = join(work, 'lib');
  mkdirSync(lib, { recursive: true });
  // Long enough that the split and join (stream copies) and per-segment start-up are amortised, as on real long videos.
  make(join(lib, 'movie.mp4'), 40, '640x360', 25);
  const cache = join(work, 'cache');
  const cli = (extra, name) => new Promise((resolve, reject) => {
    const report = join(work, `${name}.json`);
    const child = spawn(process.execPath, [join(root, 'bin/media-toolkit.js'), 'optimize', '--remote', 'local', '--bucket', lib, '--size-threshold', '0',
      '--optimize-videos', '--optimized-videos-dir', join(work, `out-${name}`), '--codec', 'h264', '--quality', 'balanced', '--preset', 'fast',
      '--target-resolution', '360p', '--hardware-acceleration', 'none', '--no-progress', '--manifest', join(work, `${name}-manifest.json`),
      '--report', report, ...extra], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, XDG_CACHE_HOME: cache } });
    let err = '';
    child.stderr.on('data', (b) => (err += b));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`optimize exited ${code}: ${err}`));
      rmSync(join(work, `${name}-manifest.json`), { force: true });
      resolve(JSON.parse(readFileSync(report, 'utf8')).files[0]);
    });
  });
  const oneT = [];
  const segT = [];
  const seg1T = [];
  let one;
  let seg;
  for (let i = 0; i < 3; i++) {
    // defaults: one process with CPUs threads; --segment-parallel runs 2 segments at once with CPUs/2 threads each
    one = await cli([], 'one');
    seg = await cli(['--segment-parallel', '--segment-duration', '10'], 'seg');
    const seg1 = await cli(['--segment-parallel', '--segment-duration', '10', '--threads', String(availableParallelism())], 'seg1');
    oneT.push(one.timeSec);
    segT.push(seg.timeSec);
    seg1T.push(seg1.timeSec);
  }
  const speedup = median(oneT.map((x, i) => x / segT[i]));
  const speedup1 = median(oneT.map((x, i) => x / seg1T[i]));
  log(`segment-parallel: one process ${oneT.map((x) => x.toFixed(2))} s, segmented ${segT.map((x) => x.toFixed(2))} s, segmented with ${availableParallelism()} threads per segment ${seg1T.map((x) => x.toFixed(2))} s (${seg.segments} segments)`);
  result('optimize: --segment-parallel vs one process (encode wall time)', `${speedup.toFixed(2)}x`, '>= 1.00x (never slower)', speedup >= 1.0);
  result(`optimize: --segment-parallel --threads ${availableParallelism()} (oversubscribed) vs one process, for reference`, `${speedup1.toFixed(2)}x`, 'info', true);
  const frames = (f) => f.verification.checks.find((c) => c.name === 'frame count').detail;
  const framesOk = seg.verification.ok && /^(\d+) \(source \1\)$/.test(frames(seg));
  result('optimize: joined output frame count = source', frames(seg), 'equal', framesOk);
  const dSsim = Math.abs(seg.ssim - one.ssim);
  result('optimize: joined output SSIM vs one-process output', `${seg.ssim.toFixed(4)} vs ${one.ssim.toFixed(4)} (diff ${dSsim.toFixed(4)})`, 'diff <= 0.005', dSsim <= 0.005);
  }
  // 4. The picture check against the encode (both wall times from the report), sampled and whole.
  if (parts.has('4')) {
  const lib4 = join(work, 'lib4');
  mkdirSync(lib4, { recursive: true });
  const cache4 = join(work, 'cache4');
  const run4 = (file, extra, name) => new Promise((resolve, reject) => {
    const dir = join(work, `lib4-${name}`);
    mkdirSync(dir, { recursive: true });
    execFileSync('cp', [join(lib4, file), join(dir, file)]);
    const report = join(work, `${name}.json`);
    const child = spawn(process.execPath, [join(root, 'bin/media-toolkit.js'), 'optimize', '--remote', 'local', '--bucket', dir, '--size-threshold', '0',
      '--optimize-videos', '--optimized-videos-dir', join(work, `out-${name}`), '--codec', 'h264', '--quality', 'balanced', '--preset', 'fast',
      '--target-resolution', '720p', '--hardware-acceleration', 'none', '--no-progress', '--manifest', join(work, `${name}-manifest.json`),
      '--report', report, ...extra], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, XDG_CACHE_HOME: cache4 } });
    let err = '';
    child.stderr.on('data', (b) => (err += b));
    child.on('close', (code) => {
      rmSync(dir, { recursive: true, force: true });
      if (code !== 0) return reject(new Error(`optimize exited ${code}: ${err}`));
      const f = JSON.parse(readFileSync(report, 'utf8')).files[0];
      if (f.status !== 'optimized') return reject(new Error(`${name}: ${f.status} ${f.reason ?? ''}`));
      resolve({ encode: f.timeSec, check: f.picture.sec, windows: f.picture.windows.length, ssim: f.ssim });
    });
  });
  make(join(lib4, 'sixty.mp4'), 60, '1280x720', 60);
  make(join(lib4, 'fifteen.mp4'), 15, '1280x720', 60);
  const rounds = Math.max(2, Math.ceil(reps / 5));
  const figures = { sampled: [], full: [], short: [] };
  let last = {};
  for (let i = 0; i < rounds; i++) {
    for (const [name, file, extra] of [['sampled', 'sixty.mp4', []], ['full', 'sixty.mp4', ['--full-quality-check']], ['short', 'fifteen.mp4', []]]) {
      const r = await run4(file, extra, `${name}-${i}`);
      figures[name].push(r.check / r.encode);
      last[name] = r;
    }
  }
  for (const [name, what] of [['sampled', '60 s 720p, 5 windows of 2 s'], ['full', '60 s 720p, --full-quality-check'], ['short', '15 s 720p, whole file (the default up to 20 s)']]) {
    const l = last[name];
    log(`picture check ${name}: check/encode ${figures[name].map((x) => x.toFixed(3))}; last run encode ${l.encode.toFixed(1)} s, check ${l.check.toFixed(1)} s over ${l.windows} window(s), SSIM ${l.ssim.toFixed(4)}`);
    result(`optimize: picture check, ${what}, against its encode (x264 fast, 720p)`, `${(median(figures[name]) * 100).toFixed(0)}% of the encode's wall time (${l.check.toFixed(1)} s vs ${l.encode.toFixed(1)} s)`, 'info', true);
  }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
