// The last resort of the player's pacing: a file that is neither MP4 nor WebM
// (or whose header holds no duration) and whose results record has no
// duration is played at a nominal bitrate for its width, close to common
// streaming ladders. Sessions paced this way are counted as
// video_sessions{duration_source:assumed}, so a report says so.

/** Nominal bitrate (bits/s) for a rendition width. */
export function assumedBitrate(width: number | undefined): number {
  const w = width ?? 1280;
  if (w >= 3840) return 16_000_000;
  if (w >= 2560) return 10_000_000;
  if (w >= 1920) return 5_000_000;
  if (w >= 1280) return 2_500_000;
  if (w >= 854) return 1_200_000;
  if (w >= 640) return 800_000;
  return 400_000;
}
