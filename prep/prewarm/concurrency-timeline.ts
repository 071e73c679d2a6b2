// The concurrency of a run over time, for the summary: what the adaptive limiter
// allowed and how many requests were in flight, sampled twice a second; past 600
// samples neighbours are merged, so a day-long run keeps a few hundred points.
import type { ConcurrencyLimiter } from './adaptive-concurrency.js';

export interface ConcurrencySummary {
  adaptive: boolean;
  /** --workers. */
  max: number;
  /** Lowest limit a target was cut to (max when never cut). */
  lowest: number;
  /** Times a target's limit was halved after 429/503 answers. */
  cuts: number;
  /** [seconds since start, allowed, in flight] every sampleSeconds. */
  sampleSeconds: number;
  samples: [number, number, number][];
}

const MAX_SAMPLES = 600;

export function createConcurrencyTimeline(max: number, limiter: ConcurrencyLimiter | undefined, inFlight: () => number) {
  const t0 = performance.now();
  let every = 500;
  let samples: [number, number, number][] = [];
  const sample = () => {
    samples.push([Math.round(performance.now() - t0) / 1000, limiter?.allowed() ?? max, inFlight()]);
    if (samples.length >= MAX_SAMPLES) {
      // Halve the resolution: keep every other sample, the lower allowance of each pair.
      const merged: [number, number, number][] = [];
      for (let i = 0; i + 1 < samples.length; i += 2) merged.push([samples[i][0], Math.min(samples[i][1], samples[i + 1][1]), Math.max(samples[i][2], samples[i + 1][2])]);
      samples = merged;
      every *= 2;
      clearInterval(timer);
      timer = setInterval(sample, every);
      timer.unref();
    }
  };
  let timer = setInterval(sample, every);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
    },
    summary(): ConcurrencySummary {
      return { adaptive: Boolean(limiter), max, lowest: limiter?.lowest ?? max, cuts: limiter?.cuts ?? 0, sampleSeconds: every / 1000, samples };
    },
  };
}
