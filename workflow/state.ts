// The progress file in --output-dir: which stage ran, how it ended, what it wrote.
// `--resume` reads it to continue after the last finished stage.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../lib/atomic-write.js';
import { STAGES, type StageName } from './options.js';
import type { ChangeSummary } from './changes.js';

/**
 * done: ran and succeeded; failed: ran and failed; 
 * skipped: not run (--skip-*, --resume-from, a missing input, or declined interactively).
 */
export type StageStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface StageState {
  status: StageStatus;
  /** Why it was skipped or how it failed, one line. */
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  /** Exit code of the last subcommand run (99 = k6 thresholds breached). */
  exitCode?: number;
  /** The commands run, as a person would type them. */
  commands?: string[];
  /** Stage log, relative to --output-dir. */
  log?: string;
}

export interface WorkflowState {
  version: 1;
  startedAt: string;
  updatedAt: string;
  /** What the run was about, to warn when a resume points elsewhere. */
  target: { remote: string; bucket: string; directory?: string; baseUrl?: string };
  stages: Record<StageName, StageState>;
  /** What changed in this run (the diff with the previous listing, optimize's replacements). */
  changes?: ChangeSummary;
}

export function newState(target: WorkflowState['target']): WorkflowState {
  const now = new Date().toISOString();
  const stages = Object.fromEntries(STAGES.map((s) => [s, { status: 'pending' }])) as Record<StageName, StageState>;
  return { version: 1, startedAt: now, updatedAt: now, target, stages };
}

/** The saved state, or undefined when there is none (or it is not ours). */
export async function readState(path: string): Promise<WorkflowState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const s = JSON.parse(text) as WorkflowState;
    if (s.version !== 1 || typeof s.stages !== 'object') return undefined;
    for (const name of STAGES) s.stages[name] ??= { status: 'pending' };
    return s;
  } catch {
    return undefined;
  }
}

export async function writeState(path: string, state: WorkflowState): Promise<void> {
  state.updatedAt = new Date().toISOString();
  await writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`);
}

/** One line a person reads: "done", "skipped (no video above the threshold)", "failed: exit 1: ...". */
export function statusText(s: StageState): string {
  switch (s.status) {
    case 'skipped':
      return s.message ? `skipped (${s.message})` : 'skipped';
    case 'failed':
      return s.message ? `failed: ${s.message}` : 'failed';
    case 'pending':
      return s.message ? `not run (${s.message})` : 'not run';
    default:
      return s.message ? `${s.status} (${s.message})` : s.status;
  }
}
