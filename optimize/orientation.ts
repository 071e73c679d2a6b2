// Orientation: phone videos store the picture sideways with a display matrix
// (or, from old tools, a `rotate` tag) that tells players to turn it. The
// output is turned for real and carries no matrix, so it plays upright
// everywhere. Interlaced sources are deinterlaced before they are turned or scaled.
import type { VideoStreamInfo } from '../media/probe.js';

/**
 * The filters that turn the stored picture the way ffmpeg's own autorotate does
 * (ffmpeg 5.1 fftools: transpose for 90/270, flips for 180 and mirrored matrices).
 */
export function rotationFilters(v: Pick<VideoStreamInfo, 'rotation' | 'displayMatrix'>): string[] {
  const m = v.displayMatrix;
  switch (v.rotation) {
    case 90:
      return [m && m[3] > 0 ? 'transpose=cclock_flip' : 'transpose=clock'];
    case 180:
      return m ? [...(m[0] < 0 ? ['hflip'] : []), ...(m[4] < 0 ? ['vflip'] : [])] : ['hflip', 'vflip'];
    case 270:
      return [m && m[3] < 0 ? 'transpose=clock_flip' : 'transpose=cclock'];
    default:
      return m && m[4] < 0 ? ['vflip'] : [];
  }
}

/**
 * How an encode turns the picture upright.
 * - auto: the input has a display matrix; ffmpeg turns the picture itself and writes no matrix to the output.
 * - explicit: the input carries no matrix (a stream-copied segment lost it) or only a legacy `rotate` tag
 *   that ffmpeg 5.1 ignores: autorotate off, the filters named here, and the tag removed from the output.
 * Never explicit on an input that still has its matrix: ffmpeg would copy the matrix to an MP4 output and
 * players would turn the already turned picture again.
 */
export interface Orientation {
  /** Before the input's -i. */
  inputArgs: string[];
  /** First in the video filter chain (after deinterlacing). */
  filters: string[];
  /** Output options for the main video (output stream 0). */
  outputArgs: string[];
}

export function orientation(v: VideoStreamInfo, inputHasMatrix: boolean): Orientation {
  if (inputHasMatrix && v.rotationSource === 'displaymatrix') return { inputArgs: [], filters: [], outputArgs: [] };
  const filters = rotationFilters(v);
  if (filters.length === 0 && v.rotationSource !== 'tag') return { inputArgs: [], filters: [], outputArgs: [] };
  return { inputArgs: ['-autorotate', '0'], filters, outputArgs: v.rotationSource === 'tag' ? ['-metadata:s:0', 'rotate='] : [] };
}

/** Deinterlacing for interlaced sources (frames flagged interlaced only; one frame out per frame in). */
export function deinterlaceFilters(v: Pick<VideoStreamInfo, 'interlaced'>): string[] {
  return v.interlaced ? ['bwdif=mode=send_frame:parity=auto:deint=interlaced'] : [];
}
