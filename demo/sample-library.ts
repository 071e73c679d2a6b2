// The demo's sample library: short videos and images made by ffmpeg from its
// built-in test sources (testsrc2 picture, sine tone), in nested folders, with a
// key holding a space and one holding unicode. One video is clearly the largest
// (high bitrate) so `optimize --size-threshold 1` has a candidate; one MP4 has
// no faststart (its moov after the media), so the player mode meets both kinds.
// Reused when the manifest beside the folder says it is complete.
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { requireTool } from '../lib/tools.js';
import { errorSummary, runTool } from '../media/ffmpeg.js';
import { writeFileAtomic } from '../lib/atomic-write.js';
import { extensionOf } from '../common/media-type.js';

export interface SampleFile {
  /** Key inside the library folder, '/'-separated. */
  key: string;
  size: number;
  kind: 'video' | 'image';
  width: number;
  height: number;
  /** Seconds; 0 for images. */
  duration: number;
  /** Whether the video has an audio stream. */
  audio: boolean;
}

interface SampleSpec {
  key: string;
  kind: 'video' | 'image';
  /** ffmpeg arguments between the inputs and the output path. */
  args: string[];
  inputs: string[];
}

const MANIFEST_VERSION = 2;

function picture(size: string, seconds: number, rate = 25): string[] {
  return ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}:duration=${seconds}`];
}

function tone(seconds: number, frequency: number): string[] {
  return ['-f', 'lavfi', '-i', `sine=frequency=${frequency}:sample_rate=48000:duration=${seconds}`];
}

const H264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '28', '-pix_fmt', 'yuv420p'];
const AAC = ['-c:a', 'aac', '-b:a', '96k', '-shortest'];

export const SAMPLE_SPECS: readonly SampleSpec[] = [
  {
    // The largest: noise keeps x264 at its 8 Mbit/s cap, about 3 MiB for 3 s.
    key: 'videos/city walk 720p.mp4',
    kind: 'video',
    inputs: [...picture('1280x720', 3, 30), ...tone(3, 440)],
    args: ['-vf', 'noise=alls=12:allf=t', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '8M', '-maxrate', '8M', '-bufsize', '4M', '-pix_fmt', 'yuv420p', ...AAC, '-movflags', '+faststart'],
  },
  { key: 'videos/clips/plain-360p.mp4', kind: 'video', inputs: picture('640x360', 2), args: [...H264, '-an', '-movflags', '+faststart'] },
  // Without faststart (moov after mdat), as many uploads are: a player fetches its moov with a second range from the end.
  { key: 'videos/portrait/vertical-360x640.mp4', kind: 'video', inputs: [...picture('360x640', 2), ...tone(2, 550)], args: [...H264, ...AAC] },
  { key: 'videos/legacy/camera.mov', kind: 'video', inputs: [...picture('480x270', 2), ...tone(2, 330)], args: [...H264, ...AAC] },
  {
    key: 'videos/web/loop.webm',
    kind: 'video',
    inputs: [...picture('320x180', 1), ...tone(1, 660)],
    args: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-c:a', 'libopus', '-b:a', '64k', '-shortest'],
  },
  { key: 'videos/café ünïcode.mp4', kind: 'video', inputs: [...picture('320x180', 1), ...tone(1, 880)], args: [...H264, ...AAC, '-movflags', '+faststart'] },
  { key: 'images/poster.jpg', kind: 'image', inputs: picture('1280x720', 1), args: ['-frames:v', '1', '-q:v', '4'] },
  { key: 'images/thumbs/thumb-320.png', kind: 'image', inputs: picture('320x180', 1), args: ['-frames:v', '1'] },
  { key: 'images/banner.webp', kind: 'image', inputs: picture('800x400', 1), args: ['-frames:v', '1', '-c:v', 'libwebp', '-quality', '80'] },
];

/** The manifest lives beside the library folder, so listing the folder shows only media. */
export function manifestPath(dir: string): string {
  return join(dirname(dir), `.${basename(dir)}.sample-library.json`);
}

async function run(cmd: string, args: string[]): Promise<string> {
  const res = await runTool(cmd, args, { captureStdout: true, timeoutMs: 120_000 });
  if (res.code !== 0) throw new Error(`${basename(cmd)} failed: ${errorSummary(res.stderrTail, 2)}`);
  return res.stdout;
}

async function probe(ffprobe: string, path: string): Promise<{ width: number; height: number; duration: number; audio: boolean }> {
  const out = JSON.parse(await run(ffprobe, ['-v', 'error', '-show_entries', 'stream=codec_type,width,height:format=duration', '-of', 'json', path]));
  const streams: { codec_type?: string; width?: number; height?: number }[] = out.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video');
  return {
    width: video?.width ?? 0,
    height: video?.height ?? 0,
    duration: Number(out.format?.duration ?? 0) || 0,
    audio: streams.some((s) => s.codec_type === 'audio'),
  };
}

/** The manifest's files when every one is still there with its recorded size; otherwise null. */
async function reusable(dir: string): Promise<SampleFile[] | null> {
  try {
    const m = JSON.parse(await readFile(manifestPath(dir), 'utf8'));
    if (m.version !== MANIFEST_VERSION || m.complete !== true || !Array.isArray(m.files)) return null;
    const files = m.files as SampleFile[];
    if (files.length !== SAMPLE_SPECS.length) return null;
    for (const f of files) {
      const st = await stat(join(dir, ...f.key.split('/')));
      if (st.size !== f.size) return null;
    }
    return files;
  } catch {
    return null;
  }
}

async function makeOne(ffmpeg: string, ffprobe: string, dir: string, spec: SampleSpec): Promise<SampleFile> {
  const target = join(dir, ...spec.key.split('/'));
  await mkdir(dirname(target), { recursive: true });
  const ext = extensionOf(spec.key);
  // ffmpeg writes a temp file that is renamed into place: no half-made sample is ever seen.
  const tmp = join(dirname(target), `.${randomBytes(4).toString('hex')}.tmp${ext}`);
  try {
    await run(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...spec.inputs, ...spec.args, tmp]);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  const [st, shape] = await Promise.all([stat(target), probe(ffprobe, target)]);
  return { key: spec.key, size: st.size, kind: spec.kind, ...shape, duration: spec.kind === 'image' ? 0 : shape.duration };
}

/** The lock file beside the folder: one process makes the library, others wait and reuse it. */
function lockPath(dir: string): string {
  return join(dirname(dir), `.${basename(dir)}.sample-library.lock`);
}

const LOCK_STALE_MS = 120_000;

/** Takes the lock (exclusive create), waiting while another live maker holds it. */
async function acquireLock(dir: string): Promise<() => Promise<void>> {
  const path = lockPath(dir);
  await mkdir(dirname(path), { recursive: true });
  const deadline = Date.now() + LOCK_STALE_MS * 2;
  for (;;) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return () => rm(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A maker that died leaves its lock behind: after LOCK_STALE_MS it no longer counts.
      const st = await stat(path).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > LOCK_STALE_MS) await rm(path, { force: true });
      if (Date.now() > deadline) throw new Error(`sample library ${dir} is locked by ${path}; remove it if no other run is making the library`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function make(ffmpeg: string, ffprobe: string, dir: string): Promise<SampleFile[]> {
  await mkdir(dir, { recursive: true });
  const files: SampleFile[] = new Array(SAMPLE_SPECS.length);
  let next = 0;
  const worker = async () => {
    while (next < SAMPLE_SPECS.length) {
      const i = next++;
      files[i] = await makeOne(ffmpeg, ffprobe, dir, SAMPLE_SPECS[i]);
    }
  };
  await Promise.all([worker(), worker()]);
  const manifest = { version: MANIFEST_VERSION, complete: true, createdAt: new Date().toISOString(), files };
  await writeFileAtomic(manifestPath(dir), `${JSON.stringify(manifest, null, 2)}\n`);
  return files;
}

// Calls in one process for the same folder share one run.
const running = new Map<string, Promise<SampleFile[]>>();

/**
 * Creates the sample library in dir (two ffmpeg jobs at a time, a few seconds
 * on two cores), or returns the existing one when its manifest is complete.
 * Safe to call from several processes at once (test workers): one makes it,
 * the others wait for it and reuse it.
 */
export async function makeSampleLibrary(dir: string): Promise<SampleFile[]> {
  const existing = await reusable(dir);
  if (existing) return existing;
  const key = resolve(dir);
  let p = running.get(key);
  if (!p) {
    p = (async () => {
      const ffmpeg = requireTool('ffmpeg');
      const ffprobe = requireTool('ffprobe');
      const release = await acquireLock(dir);
      try {
        // Another process may have finished it while this one waited for the lock.
        return (await reusable(dir)) ?? (await make(ffmpeg, ffprobe, dir));
      } finally {
        await release();
      }
    })().finally(() => running.delete(key));
    running.set(key, p);
  }
  return p;
}
