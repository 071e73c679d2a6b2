// The optimizer's public face: run it, and the defaults the CLI shows.
// The pipeline (pipeline.ts) runs one file through the stages, each in its own
// file: source (fetch), probe, plan, encode (segment, target-quality), verify,
// placement or replace; progress.ts draws it, report.ts writes it down.
export { runOptimize } from './pipeline.js';
export { defaultWorkers, threadsPerWorker, type OptimizeOptions } from './options.js';
export { predictSize } from './probe.js';
