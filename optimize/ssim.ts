// SSIM of an output against its source with ffmpeg's ssim filter. The source
// goes through the same scale/crop/pad as the encode, so both have one size.
import { RuntimeError } from '../lib/errors.js';
import { videoFilter, type OutputGeometry } from './dimensions.js';
import { lastErrorLine, runTool } from '../media/ffmpeg.js';

/** Reads "SSIM Y:... All:0.987654 (19.1)" from ffmpeg's stderr. */
export function parseSsim(stderr: string): number | undefined {
  const m = /SSIM .*All:([0-9.]+)/.exec(stderr);
  return m ? Number(m[1]) : undefined;
}

export interface SsimOptions {
  /** Compare only this part of the source (the output is a sample of it). */
  startSec?: number;
  durationSec?: number;
  threads?: number;
  signal?: AbortSignal;
}

/** SSIM (0..1, 1 = identical) of output against source, both at geometry's size. */
export async function measureSsim(ffmpeg: string, source: string, output: string, geometry: OutputGeometry, o: SsimOptions = {}): Promise<number> {
  const seek: string[] = [];
  if (o.startSec !== undefined) seek.push('-ss', o.startSec.toFixed(3));
  if (o.durationSec !== undefined) seek.push('-t', o.durationSec.toFixed(3));
  const args = [
    '-hide_banner', '-nostdin', '-nostats',
    ...(o.threads ? ['-threads', String(o.threads)] : []),
    '-i', output, ...seek, '-i', source,
    '-lavfi', `[1:v:0]${videoFilter(geometry)}[ref];[0:v:0]setsar=1[dist];[dist][ref]ssim`,
    '-f', 'null', '-',
  ];
  const res = await runTool(ffmpeg, args, { signal: o.signal, stderrLines: 8 });
  if (res.code !== 0) throw new RuntimeError(`ssim measurement failed: ${lastErrorLine(res.stderrTail)}`);
  const v = parseSsim(res.stderrTail);
  if (v === undefined) throw new RuntimeError('ssim measurement printed no result');
  return v;
}
