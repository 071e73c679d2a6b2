// The adaptive-bitrate rule of the HLS and DASH sessions: simple, so a test can
// say what it must do, and with hysteresis, so it does not flap.
//
// Throughput estimate: an exponentially weighted mean (weight ABR_EWMA_WEIGHT,
// default 0.5, on the newest) of each media download's bits over its download
// time (first byte to last, latency included: what the viewer's network gave).
// Before any download it is ABR_START_KBPS (default 1000, hls.js uses 500).
//
// Choice, before each media segment, among renditions sorted by bandwidth
// (BANDWIDTH / @bandwidth, audio included):
// - usable = ABR_SAFETY (default 0.8) x estimate;
// - start: the highest rendition whose bandwidth fits in usable (else the lowest);
// - down, at once: when the current rendition does not fit in usable, to the
//   highest one that does (a player that waits stalls);
// - up, one rendition at a time, only when the next one up fits in usable with
//   ABR_UP_MARGIN (default 1.2) to spare, the buffer holds at least
//   ABR_UP_MIN_BUFFER seconds (default the startup amount), and at least
//   ABR_HOLD_SEGMENTS segments (default 2) have been fetched since the last switch.
// The gap between the down rule (fits) and the up rule (fits 1.2x, after a hold)
// is the hysteresis.

export interface AbrSettings {
  startKbps: number;
  safety: number;
  upMargin: number;
  upMinBufferSeconds: number;
  holdSegments: number;
  ewmaWeight: number;
}

export const DEFAULT_ABR: AbrSettings = { startKbps: 1000, safety: 0.8, upMargin: 1.2, upMinBufferSeconds: 2, holdSegments: 2, ewmaWeight: 0.5 };

export interface Abr {
  /** Bits per second the estimate says now. */
  estimate(): number;
  /** One media download: bytes in seconds. */
  sample(bytes: number, seconds: number): void;
  /** The rendition to fetch next (index into bandwidths, sorted ascending); current -1 before the first. */
  choose(current: number, bufferSeconds: number): number;
  /** Segments fetched since the last switch (the hold counts these). */
  fetched(): void;
}

export function createAbr(bandwidths: readonly number[], s: AbrSettings = DEFAULT_ABR): Abr {
  let estimate = s.startKbps * 1000;
  let sinceSwitch = 0;
  const fitting = (usable: number) => {
    let best = 0;
    for (let i = 0; i < bandwidths.length; i++) if (bandwidths[i] <= usable) best = i;
    return best;
  };
  return {
    estimate: () => estimate,
    sample(bytes, seconds) {
      if (!(bytes > 0) || !(seconds > 0)) return;
      const bps = (bytes * 8) / seconds;
      estimate = s.ewmaWeight * bps + (1 - s.ewmaWeight) * estimate;
    },
    choose(current, bufferSeconds) {
      const usable = s.safety * estimate;
      let next = current;
      if (current < 0) next = fitting(usable);
      else if (bandwidths[current] > usable) next = Math.min(current, fitting(usable));
      else if (
        current + 1 < bandwidths.length &&
        bandwidths[current + 1] * s.upMargin <= usable &&
        bufferSeconds >= s.upMinBufferSeconds &&
        sinceSwitch >= s.holdSegments
      ) {
        next = current + 1;
      }
      if (next !== current) sinceSwitch = 0;
      return next;
    },
    fetched() {
      sinceSwitch++;
    },
  };
}
