// Probe stage: what ffprobe says about a source, and whether it needs work at
// all (no video stream; already in the target codec, size and bit budget).
import { MIB } from '../common/byte-size.js';
import { bitsPerPixel, probeFile, type ProbeInfo } from '../media/probe.js';
import type { RunContext } from './context.js';
import { orientedBox } from './dimensions.js';
import type { OptimizeOptions } from './options.js';
import { AUDIO_PROFILE, EFFICIENT_BPP, PREDICTED_BPP, PROBE_CODEC, type AudioProfileName, type CodecName, type QualityName } from './profiles.js';
import { DRY_RUN_HEAD_BYTES, type OpenedSource } from './source.js';

/** The probe, or why there is no usable one: a verdict for the file. */
export type ProbeOutcome =
  | { probe: ProbeInfo }
  | { verdict: 'planned' | 'failed' | 'skipped'; reason: string; /** The manifest records it (a dry run never does). */ record: boolean };

export async function probeSource(ctx: RunContext, src: OpenedSource): Promise<ProbeOutcome> {
  const { o } = ctx;
  let probe: ProbeInfo;
  try {
    probe = await probeFile(ctx.ffprobe, src.path, o.signal);
  } catch (err) {
    if (o.signal?.aborted) throw err;
    if (src.partial) return { verdict: 'planned', reason: `not predicted: the first ${DRY_RUN_HEAD_BYTES / MIB} MiB do not hold the index (${(err as Error).message})`, record: false };
    return { verdict: 'failed', reason: `corrupt or unreadable source: ${(err as Error).message}`, record: true };
  }
  if (src.partial && probe.video && probe.durationSec > 0) {
    // The head says nothing true about the whole file's size: take the bitrate from the listed size.
    probe.bitrate = (src.obj.size * 8) / probe.durationSec;
    probe.video.bitrate = Math.max(0, probe.bitrate - (probe.audio?.bitrate ?? 0));
  }
  if (!probe.video || !probe.video.width) return { verdict: 'skipped', reason: 'no video stream', record: true };
  const efficient = efficientReason(probe, o);
  if (efficient) return { verdict: 'skipped', reason: efficient, record: true };
  return { probe };
}

/** Why a source in the target codec, within the target box and the bit budget, is left alone; else undefined. */
export function efficientReason(probe: ProbeInfo, o: Pick<OptimizeOptions, 'codec' | 'targetResolution' | 'efficientBpp'>): string | undefined {
  const v = probe.video;
  if (!v) return undefined;
  const box = orientedBox(o.targetResolution, v.width * v.sar, v.height);
  const bpp = bitsPerPixel(v);
  const limit = o.efficientBpp ?? EFFICIENT_BPP[o.codec];
  if (v.codec === PROBE_CODEC[o.codec] && v.width <= box.width && v.height <= box.height && bpp > 0 && bpp <= limit) {
    return `already efficient: ${v.codec} at ${v.width}x${v.height}, ${bpp.toFixed(3)} bits/pixel <= ${limit}`;
  }
  return undefined;
}

/** Predicted output size from the source's probe and the codec/quality's typical bits per pixel. */
export function predictSize(p: ProbeInfo, codec: CodecName, quality: QualityName, width: number, height: number, audioProfile: AudioProfileName): number {
  const fps = p.video?.fps || 30;
  const videoBits = PREDICTED_BPP[codec][quality] * width * height * fps * p.durationSec;
  const audioBits = p.audio ? Math.min(p.audio.bitrate || AUDIO_PROFILE[audioProfile].bitrate, AUDIO_PROFILE[audioProfile].bitrate) * p.durationSec : 0;
  return Math.round((videoBits + audioBits) / 8 + 4096);
}
