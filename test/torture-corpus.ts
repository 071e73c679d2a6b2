// The optimizer's torture corpus: short clips made by ffmpeg at test time,
// each a way a real library breaks naive re-encoders. Made once into a folder
// under the system temp dir named by a hash of the recipes, and reused while
// its manifest (sizes and SHA-1 of every file) still matches; two test files
// making it at once each build in their own temp folder and the first rename wins.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool, errorSummary } from '../media/ffmpeg.js';
import { requireTool } from '../lib/tools.js';
import { setRotation, truncatedCopy } from './optimize-clips.js';

export type Verdict = 'optimized' | 'skipped' | 'failed' | 'rejected';

export interface CorpusClip {
  name: string;
  /** What the clip tests. */
  about: string;
  /** ffmpeg argv (after -hide_banner -v error -y), output path last as {out}; absent for clips made another way. */
  ffmpeg?: string[];
  /** Made from another clip or from bytes. */
  make?: (dir: string) => Promise<void>;
  /** Expected verdict of a copy-mode run to h264 360p (optimized or replaced in place). */
  expect: Verdict;
  /** Output size as displayed when an output is accepted. */
  size?: [number, number];
  /** Streams the output must hold besides the main video (role counts), when accepted. */
  streams?: { audio?: number; subtitle?: number; cover?: number; data?: number };
}

const lavfi = (src: string) => ['-f', 'lavfi', '-i', src];
const pic = (size: string, sec: number, rate = 25) => lavfi(`testsrc2=s=${size}:r=${rate}:d=${sec}`);
const tone = (sec: number, f = 440) => lavfi(`sine=f=${f}:sample_rate=48000:d=${sec}`);
const X264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '12'];
const AAC = ['-c:a', 'aac', '-b:a', '128k'];
// A keyframe every 12 frames: --segment-parallel with --segment-duration 0.5 splits the 2 s clips in 4.
const GOP = ['-g', '12', '-keyint_min', '12'];

const SRT = '1\n00:00:00,000 --> 00:00:00,800\nHello\n\n2\n00:00:01,000 --> 00:00:01,800\nWorld\n';
const CHAPTERS = ';FFMETADATA1\ntitle=Rich clip\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1000\ntitle=One\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=1000\nEND=2000\ntitle=Two\n';

export const CORPUS: readonly CorpusClip[] = [
  {
    name: 'rotated-90.mp4', about: 'phone video filmed sideways: stored 320x180, display matrix turns it 90° clockwise',
    ffmpeg: [...pic('320x180', 2), ...tone(2), ...X264, ...GOP, ...AAC, '-shortest', '{out}'],
    make: async (dir) => void (await setRotation(join(dir, 'rotated-90.mp4'), 90)),
    expect: 'optimized', size: [180, 320], streams: { audio: 1 },
  },
  {
    name: 'rotated-270.mov', about: 'the other way round, in a MOV',
    ffmpeg: [...pic('320x180', 2), ...tone(2), ...X264, ...GOP, ...AAC, '-shortest', '{out}'],
    make: async (dir) => void (await setRotation(join(dir, 'rotated-270.mov'), 270)),
    expect: 'optimized', size: [180, 320], streams: { audio: 1 },
  },
  {
    name: 'anamorphic.mp4', about: 'non-square pixels: stored 240x180 with sample aspect 4:3, displayed 320x180',
    ffmpeg: [...pic('240x180', 2), '-vf', 'setsar=4/3', ...X264, ...GOP, '{out}'], expect: 'optimized', size: [320, 180],
  },
  {
    name: 'vfr.mp4', about: 'variable frame rate: 30 fps with a half-second pause (60 frames over 2.5 s)',
    ffmpeg: [...lavfi("testsrc2=s=320x180:r=30:d=2,setpts='PTS+if(gt(N\\,20)\\,0.5/TB\\,0)'"), '-vsync', 'vfr', ...X264, ...GOP, '{out}'], expect: 'optimized', size: [320, 180],
  },
  {
    name: '10bit.mkv', about: '10-bit 4:2:0 (H.264 High 10)',
    ffmpeg: [...pic('320x180', 2), ...tone(2), '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '12', '-pix_fmt', 'yuv420p10le', ...GOP, ...AAC, '-shortest', '{out}'],
    expect: 'optimized', size: [320, 180], streams: { audio: 1 },
  },
  {
    name: 'yuv444.mp4', about: 'full-resolution chroma (4:4:4)',
    ffmpeg: [...pic('320x180', 2), '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '12', '-pix_fmt', 'yuv444p', ...GOP, '{out}'], expect: 'optimized', size: [320, 180],
  },
  {
    name: 'odd-321x181.mp4', about: 'odd dimensions (4:4:4, which can hold them)',
    ffmpeg: [...lavfi('testsrc2=s=322x182:r=25:d=2,format=yuv444p,scale=321:181'), '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '12', '-pix_fmt', 'yuv444p', ...GOP, '{out}'],
    expect: 'optimized', size: [320, 180],
  },
  {
    name: 'interlaced.mp4', about: 'interlaced, top field first (field_order tt)',
    ffmpeg: [...pic('320x240', 2, 50), '-vf', 'tinterlace=interleave_top,fieldorder=tff', ...X264, '-flags', '+ilme+ildct', '-top', '1', ...GOP, '{out}'],
    expect: 'optimized', size: [320, 240],
  },
  {
    name: 'rich.mp4', about: 'two audio tracks (eng, fra), a subtitle track, cover art, chapters, title and creation time',
    make: async (dir) => {
      await writeFile(join(dir, '.rich.srt'), SRT);
      await writeFile(join(dir, '.rich.meta'), CHAPTERS);
      await ffmpegRun([...pic('320x240', 2), ...tone(2, 440), ...tone(2, 660), '-i', join(dir, '.rich.srt'), ...lavfi('color=c=red:s=64x64:d=0.04'), '-i', join(dir, '.rich.meta'),
        '-map', '0:v', '-map', '1:a', '-map', '2:a', '-map', '3:s', '-map', '4:v', '-map_metadata', '5', '-map_chapters', '5',
        '-c:v:0', 'libx264', '-preset', 'ultrafast', '-crf', '12', ...GOP, '-c:v:1', 'png', '-disposition:v:1', 'attached_pic', '-frames:v:1', '1',
        '-c:a', 'aac', '-b:a', '128k', '-c:s', 'mov_text', '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=fra', '-metadata:s:s:0', 'language=eng',
        '-metadata', 'creation_time=2024-05-01T10:00:00Z', join(dir, 'rich.mp4')]);
      await rm(join(dir, '.rich.srt'));
      await rm(join(dir, '.rich.meta'));
    },
    expect: 'optimized', size: [320, 240], streams: { audio: 2, subtitle: 1, cover: 1 },
  },
  {
    name: 'timecode.mov', about: 'a QuickTime timecode (tmcd) data stream',
    ffmpeg: [...pic('320x180', 2), ...tone(2), ...X264, ...GOP, ...AAC, '-timecode', '01:00:00:00', '-shortest', '{out}'],
    expect: 'optimized', size: [320, 180], streams: { audio: 1 }, // the tmcd track is written again from the timecode
  },
  {
    name: 'moov-at-end.mp4', about: 'the index (moov) after the media data, as ffmpeg and many cameras write it',
    ffmpeg: [...pic('320x180', 2), ...tone(2), ...X264, ...GOP, ...AAC, '-shortest', '{out}'], expect: 'optimized', size: [320, 180], streams: { audio: 1 },
  },
  {
    name: 'one-frame.mp4', about: 'a single frame',
    ffmpeg: [...pic('640x360', 1), '-frames:v', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '8', '{out}'], expect: 'optimized', size: [640, 360],
  },
  { name: 'audio-only.mp4', about: 'sound and no picture', ffmpeg: [...tone(2), ...AAC, '{out}'], expect: 'skipped' },
  {
    name: 'truncated.mp4', about: 'an upload cut at 60% (index at the front, media data cut short)',
    make: async (dir) => {
      const whole = join(dir, '.whole.mp4');
      await ffmpegRun([...pic('320x180', 2), ...tone(2), ...X264, ...AAC, '-shortest', '-movflags', '+faststart', whole]);
      await truncatedCopy(whole, join(dir, 'truncated.mp4'), 0.6);
      await rm(whole);
    },
    expect: 'failed',
  },
  { name: 'zero-byte.mp4', about: 'an empty file', make: (dir) => writeFile(join(dir, 'zero-byte.mp4'), ''), expect: 'failed' },
  { name: 'not-a-video.mp4', about: 'text with a video name', make: (dir) => writeFile(join(dir, 'not-a-video.mp4'), 'this is not a video\n'.repeat(500)), expect: 'failed' },
];

async function ffmpegRun(args: string[]): Promise<void> {
  const res = await runTool(requireTool('ffmpeg'), ['-hide_banner', '-v', 'error', '-y', ...args], { timeoutMs: 120_000 });
  if (res.code !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${errorSummary(res.stderrTail)}`);
}

interface CorpusManifest {
  recipes: string;
  files: Record<string, { size: number; sha1: string }>;
}

const sha1 = async (path: string) => createHash('sha1').update(await readFile(path)).digest('hex');

async function intact(dir: string, recipes: string): Promise<boolean> {
  try {
    const m = JSON.parse(await readFile(join(dir, '.corpus.json'), 'utf8')) as CorpusManifest;
    if (m.recipes !== recipes || Object.keys(m.files).length !== CORPUS.length) return false;
    for (const [name, f] of Object.entries(m.files)) if ((await stat(join(dir, name))).size !== f.size) return false;
    return true;
  } catch {
    return false;
  }
}

/** The corpus folder (made now, or reused), and each clip's SHA-1 as made. */
export async function tortureCorpus(): Promise<{ dir: string; sha1: Record<string, string> }> {
  // Named by the recipes alone (expectations can change without making the clips again).
  const recipes = createHash('sha1').update(JSON.stringify(CORPUS.map((c) => [c.name, c.ffmpeg, c.make?.toString()]))).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `mt-torture-corpus-${recipes}`);
  if (!(await intact(dir, recipes))) {
    const build = `${dir}.build-${process.pid}-${randomBytes(3).toString('hex')}`;
    await mkdir(build, { recursive: true });
    await Promise.all(CORPUS.map(async (c) => {
      if (c.ffmpeg) await ffmpegRun(c.ffmpeg.map((a) => (a === '{out}' ? join(build, c.name) : a)));
      if (c.make) await c.make(build);
    }));
    const files: CorpusManifest['files'] = {};
    for (const c of CORPUS) files[c.name] = { size: (await stat(join(build, c.name))).size, sha1: await sha1(join(build, c.name)) };
    await writeFile(join(build, '.corpus.json'), JSON.stringify({ recipes, files }, null, 2));
    if (!(await intact(dir, recipes))) {
      // an older, broken or half-made copy: out of the way first
      const stale = `${dir}.stale-${process.pid}-${randomBytes(3).toString('hex')}`;
      await rename(dir, stale).then(() => rm(stale, { recursive: true, force: true }), () => undefined);
    }
    try {
      await rename(build, dir);
    } catch {
      // another test file made it at the same moment: keep theirs
      await rm(build, { recursive: true, force: true });
    }
    if (!(await intact(dir, recipes))) throw new Error(`torture corpus at ${dir} is incomplete`);
  }
  const m = JSON.parse(await readFile(join(dir, '.corpus.json'), 'utf8')) as CorpusManifest;
  return { dir, sha1: Object.fromEntries(Object.entries(m.files).map(([k, v]) => [k, v.sha1])) };
}

export function clip(name: string): CorpusClip {
  const c = CORPUS.find((x) => x.name === name);
  if (!c) throw new Error(`no corpus clip ${name}`);
  return c;
}

export { sha1 as fileSha1 };

/** One file's row in the optimize report, as the corpus checks read it. */
export interface CorpusRow {
  key: string;
  status: string;
  reason?: string;
  output?: string;
  ssim?: number;
  sizeAfter?: number;
  picture?: { method: string; windows: unknown[] };
  verification?: { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] };
}

/** The verdict a corpus clip must get: optimized (copy) or replaced (in place), else as the recipe says. */
export function expectedStatus(c: CorpusClip, mode: 'copy' | 'in-place'): string {
  return c.expect === 'optimized' ? (mode === 'copy' ? 'optimized' : 'replaced') : c.expect;
}

/** "audio 2/2, subtitle 1/1, cover 1/1": the streams check's detail for the clip's expected streams. */
export function expectedStreams(c: CorpusClip): string {
  const s = c.streams ?? {};
  const parts = (['audio', 'subtitle', 'cover'] as const).filter((r) => s[r]).map((r) => `${r} ${s[r]}/${s[r]}`);
  return parts.join(', ') || 'video only';
}
