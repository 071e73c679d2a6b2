// A fake ffmpeg for tests that must not depend on what this machine's ffmpeg
// lists or has: a small Node script, written into a temp folder, that passes
// every call to the real ffmpeg except where its settings say otherwise:
// - hardware: it lists h264_nvenc among the encoders; a run with h264_nvenc
//   either passes (the real ffmpeg encodes it with libx264) or fails at run
//   time like a GPU whose sessions are all taken; its trial encode can fail too;
// - vmaf: it lists libvmaf among the filters and answers a libvmaf graph with
//   a fixed VMAF score (the real ffmpeg computes the rest, libvmaf swapped for psnr);
// - failSegment: the encode of that --segment-parallel segment fails, and
//   every other segment's encode hangs (its pid written down) until it is killed.
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '../../lib/tools.js';

export interface FakeSettings {
  hardware?: 'none' | 'passes' | 'fails-at-run' | 'fails-trial';
  vmaf?: number;
  /** Segment number (0-based) whose encode fails. */
  failSegment?: number;
  /** Where hanging segment encoders write their pids (one per line). */
  pidFile?: string;
  /** Where every encode writes "start MS" and "end MS" lines (for counting encoders at once). */
  traceFile?: string;
}

export interface FakeFfmpeg {
  path: string;
  dir: string;
  /** Calls seen, one argv per line (JSON), in order. */
  callsFile: string;
  settingsFile: string;
  set(s: FakeSettings): Promise<void>;
}

const SCRIPT = (real: string, settingsFile: string, callsFile: string) => `#!${process.execPath}
// fake ffmpeg written by test/helpers/fake-ffmpeg.ts
const { spawnSync } = require('node:child_process');
const { appendFileSync, readFileSync } = require('node:fs');
const REAL = ${JSON.stringify(real)};
const cfg = JSON.parse(readFileSync(${JSON.stringify(settingsFile)}, 'utf8'));
let args = process.argv.slice(2);
appendFileSync(${JSON.stringify(callsFile)}, JSON.stringify(args) + '\\n');
const run = (argv, captureErr) => spawnSync(REAL, argv, { stdio: ['inherit', 'inherit', captureErr ? 'pipe' : 'inherit'], maxBuffer: 1 << 26 });
const listing = (extra) => {
  const r = spawnSync(REAL, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  process.stdout.write(r.stdout + extra);
  process.stderr.write(r.stderr);
  process.exit(r.status ?? 1);
};
if (args.includes('-encoders')) listing(cfg.hardware && cfg.hardware !== 'none' ? ' V....D h264_nvenc           NVIDIA NVENC H.264 encoder (fake, test/helpers/fake-ffmpeg.ts)\\n' : '');
if (args.includes('-filters')) listing(cfg.vmaf !== undefined ? ' ... libvmaf           VV->V      Calculate the VMAF between two video streams. (fake)\\n' : '');
const seg = args.map((a) => /src-(\\d{5})\\.mkv$/.exec(a)).find(Boolean);
if (seg && cfg.failSegment !== undefined && args.some((a) => /enc-\\d{5}/.test(a))) {
  if (Number(seg[1]) === cfg.failSegment) {
    process.stderr.write('[libx264 @ 0x5555] simulated encoder crash in segment ' + seg[1] + '\\n');
    process.exit(1);
  }
  appendFileSync(cfg.pidFile, process.pid + '\\n');
  setTimeout(() => process.exit(0), 120000);
  return;
}
const enc = args.findIndex((a, i) => /^-c(:v)?(:0)?$/.test(a) && args[i + 1] === 'h264_nvenc');
if (enc >= 0) {
  const trial = args.some((a) => a.startsWith('color=c=black:s=256x144'));
  if ((trial && cfg.hardware === 'fails-trial') || (!trial && cfg.hardware === 'fails-at-run')) {
    process.stderr.write('[h264_nvenc @ 0x5555] OpenEncodeSessionEx failed: out of memory (10): (no details)\\n');
    process.stderr.write('Error initializing output stream 0:0 -- Error while opening encoder for output stream #0:0 - maybe incorrect parameters such as bit_rate, rate, width or height\\n');
    process.exit(1);
  }
  // passes: the real ffmpeg encodes it in software; nvenc's own options go
  const out = [];
  for (let i = 0; i < args.length; i++) {
    if (i === enc + 1) { out.push('libx264'); continue; }
    if (['-rc', '-cq'].includes(args[i]) || (args[i] === '-preset' && /^p\\d$/.test(args[i + 1] ?? ''))) { i++; continue; }
    out.push(args[i]);
  }
  args = out;
}
const graph = args.indexOf('-lavfi');
if (graph >= 0 && /libvmaf/.test(args[graph + 1])) {
  args[graph + 1] = args[graph + 1].replace(/libvmaf(=[^;]*)?/, 'psnr');
  const r = run(args, true);
  process.stderr.write(r.stderr);
  if (r.status === 0) process.stderr.write('[Parsed_libvmaf_9 @ 0x5555] VMAF score: ' + cfg.vmaf.toFixed(6) + '\\n');
  process.exit(r.status ?? 1);
}
const encodes = args.some((a, i) => /^-c:0$/.test(a) && args[i + 1] !== 'copy');
if (encodes && cfg.traceFile) appendFileSync(cfg.traceFile, 'start ' + Date.now() + '\\n');
const r = run(args, false);
if (encodes && cfg.traceFile) appendFileSync(cfg.traceFile, 'end ' + Date.now() + '\\n');
process.exit(r.status ?? (r.signal ? 1 : 0));
`;

/** Writes the fake into a fresh temp folder (it is a script: its mtime and size differ from the real binary's). */
export async function fakeFfmpeg(settings: FakeSettings = {}): Promise<FakeFfmpeg> {
  const dir = await mkdtemp(join(tmpdir(), 'mt-fake-ffmpeg-'));
  const path = join(dir, 'ffmpeg');
  const settingsFile = join(dir, 'settings.json');
  const callsFile = join(dir, 'calls.jsonl');
  await writeFile(settingsFile, JSON.stringify(settings));
  await writeFile(callsFile, '');
  await writeFile(path, SCRIPT(requireTool('ffmpeg'), settingsFile, callsFile));
  await chmod(path, 0o755);
  return { path, dir, callsFile, settingsFile, set: (s) => writeFile(settingsFile, JSON.stringify(s)) };
}
