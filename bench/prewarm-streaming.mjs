// prewarm --hls-template over a library of long videos: peak RSS stays flat as the
// library grows (playlists are read one by one and their segments handed out
// lazily, never a library's segment lists at once) and grows only a little with
// a video's length (a few playlists' text is held while its segments are read).
//
// A synthetic HLS origin (this process) serves, for any key, a master playlist of
// three variants and an audio rendition, media playlists of N segments, and
// 188-byte segments. The CLI is run as a child; its peak RSS is VmHWM from /proc.
//   A:  2 videos of 1 h (2 s segments: 1,800 per playlist, 4 playlists) ->  14,408 requests
//   B: 20 videos of 1 h                                                  -> 144,080 requests
//   C:  2 videos of 10 h (18,000 per playlist)                           -> 144,008 requests
// Targets: B's peak within 1.2x of A's (flat across the library); C's reported.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'bin', 'media-toolkit.js');
const log = (m) => process.stderr.write(`bench:prewarm-streaming: ${m}\n`);
const result = (name, figure, target, ok) => console.log(`RESULT ${name} | ${figure} | ${target} | ${ok ? 'pass' : 'fail'}`);

let segmentsPerPlaylist = 1800;
const SEGMENT = Buffer.alloc(188, 0x47);
const INIT = Buffer.alloc(600, 1);
const master = [
  '#EXTM3U',
  '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="audio",DEFAULT=YES,URI="audio.m3u8"',
  '#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=1280x720,AUDIO="a"', 'v0.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=854x480,AUDIO="a"', 'v1.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=640x360,AUDIO="a"', 'v2.m3u8',
  '',
].join('\n');
function media(name) {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:2', '#EXT-X-PLAYLIST-TYPE:VOD', `#EXT-X-MAP:URI="../seg/${name}/init.mp4"`];
  for (let i = 0; i < segmentsPerPlaylist; i++) lines.push('#EXTINF:2.000000,', `../seg/${name}/${i}.m4s`);
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}
const playlists = new Map();

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  let body;
  let type = 'video/iso.segment';
  if (url.endsWith('/hls/master.m3u8')) (body = master), (type = 'application/vnd.apple.mpegurl');
  else if (url.endsWith('.m3u8')) {
    const name = url.slice(url.lastIndexOf('/') + 1, -5);
    const key = `${name}:${segmentsPerPlaylist}`;
    if (!playlists.has(key)) playlists.set(key, media(name));
    body = playlists.get(key);
    type = 'application/vnd.apple.mpegurl';
  } else body = url.endsWith('init.mp4') ? INIT : SEGMENT;
  res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cf-cache-status': 'HIT' });
  res.end(body);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;
const work = await new Promise((r, j) => mkdtemp(join(tmpdir(), 'bench-prewarm-streaming-'), (e, d) => (e ? j(e) : r(d))));

function run(videos, label) {
  const listing = join(work, `${label}-listing.jsonl`);
  writeFileSync(listing, Array.from({ length: videos }, (_, i) => JSON.stringify({ key: `shows/episode-${i}.mp4`, size: 1_000_000_000, lastModified: '', etag: '' })).join('\n') + '\n');
  const out = join(work, `${label}.json`);
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [cli, 'prewarm', '--listing-file', listing, '--base-url', base, '--hls-template', '{base}/{key}/hls/master.m3u8', '--streaming-only', '--workers', '64', '--progress', 'false', '--output', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let peakKb = 0;
    const sample = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        /* exited */
      }
    }, 50);
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => process.stderr.write(d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sample);
      if (code !== 0) return reject(new Error(`prewarm exited ${code}: ${stdout.slice(-500)}`));
      const summary = JSON.parse(readFileSync(join(work, `${label}.summary.json`), 'utf8'));
      resolve({ peakMb: peakKb / 1024, requests: summary.requests, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

try {
  segmentsPerPlaylist = 1800;
  const a = await run(2, 'a');
  log(`A: 2 videos x 1 h: ${a.requests} requests in ${a.seconds.toFixed(1)} s, peak RSS ${a.peakMb.toFixed(1)} MB`);
  const b = await run(20, 'b');
  log(`B: 20 videos x 1 h: ${b.requests} requests in ${b.seconds.toFixed(1)} s, peak RSS ${b.peakMb.toFixed(1)} MB`);
  segmentsPerPlaylist = 18000;
  const c = await run(2, 'c');
  log(`C: 2 videos x 10 h: ${c.requests} requests in ${c.seconds.toFixed(1)} s, peak RSS ${c.peakMb.toFixed(1)} MB`);
  const expected = (videos, segs) => videos * (1 + 4 + 4 + 4 * segs);
  const counted = a.requests === expected(2, 1800) && b.requests === expected(20, 1800) && c.requests === expected(2, 18000);
  result('prewarm HLS peak RSS, 20 vs 2 one-hour videos', `${b.peakMb.toFixed(1)} vs ${a.peakMb.toFixed(1)} MB (${(b.peakMb / a.peakMb).toFixed(2)}x)`, '<= 1.2x', counted && b.peakMb <= a.peakMb * 1.2);
  result('prewarm HLS peak RSS, 2 ten-hour videos', `${c.peakMb.toFixed(1)} MB (${(c.peakMb / a.peakMb).toFixed(2)}x the 1 h run)`, 'reported', counted);
  result('prewarm HLS rate', `${Math.round(b.requests / b.seconds)} req/s (B)`, 'reported', counted);
} finally {
  server.close();
  rmSync(work, { recursive: true, force: true });
}
