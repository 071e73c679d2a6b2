// Runs the stages in order, each as its real subcommand, saving progress after
// every stage and ending with the index page.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../lib/errors.js';
import { redactText, redactUrl } from '../common/redact.js';
import { info, warn } from '../lib/log.js';
import { writeFileAtomic } from '../lib/atomic-write.js';
import { STAGES, type StageName, type WorkflowOptions } from './options.js';
import { planStage, type StageFacts, type StagePlan } from './stages.js';
import { baselineListing, composeChanges, moveListingAside, unfinishedRun } from './changes.js';
import { rm } from 'node:fs/promises';
import { FILES } from './files.js';
import { newState, readState, statusText, writeState, type StageState, type WorkflowState } from './state.js';
import { displayCommand, runStep } from './run-step.js';
import { writeIndex } from './index-page.js';

export const EXIT_THRESHOLDS = 99;

export interface WorkflowResult {
  state: WorkflowState;
  /** Paths of index.md and index.html (undefined in a dry run). */
  index?: { md: string; html: string };
  exitCode: number;
}

export interface WorkflowIo {
  /** Asks a question on the terminal (--interactive); resolves to the answer. */
  ask?: (question: string) => Promise<string>;
  /** Where the plan and the final table go (stdout). */
  print: (text: string) => void;
  signal?: AbortSignal;
  /** Environment of the stages' processes (default: this process's). */
  childEnv?: NodeJS.ProcessEnv;
}

function stageIndex(name: StageName): number {
  return STAGES.indexOf(name);
}

/** Why a stage is not run this time, or undefined when it runs. */
function notRunReason(name: StageName, o: WorkflowOptions, previous: WorkflowState | undefined): { message: string; keep: boolean } | undefined {
  if (o.skip[name]) return { message: `--skip-${name}`, keep: false };
  if (o.resumeFrom && stageIndex(name) < stageIndex(o.resumeFrom)) return { message: `before --resume-from ${o.resumeFrom}`, keep: true };
  if (o.resume && previous?.stages[name]?.status === 'done') return { message: 'done in the saved run (--resume)', keep: true };
  return undefined;
}

function describePlan(plan: StagePlan, reason: string | undefined, n: number): string {
  const lines = [`${n}. ${plan.name}: ${plan.title}`];
  if (reason) lines.push(`   not run: ${reason}`);
  else if (plan.blocked) lines.push(`   would be skipped: ${plan.blocked}`);
  else {
    for (const s of plan.steps) lines.push(`   $ ${displayCommand(s.args, s.env)}`);
    lines.push(`   reads: ${redactText(plan.inputs.join(', '))}`);
    lines.push(`   writes: ${plan.reports.map((r) => r.file).join(', ')}`);
  }
  return lines.join('\n');
}

/** Prints what each stage would run and reads; touches no file and sends no request. */
function dryRun(o: WorkflowOptions, previous: WorkflowState | undefined, io: WorkflowIo): WorkflowResult {
  const willExist = new Set<string>();
  const exists = (p: string) => willExist.has(p) || existsSync(p);
  const out: string[] = [`workflow dry run: nothing is run, nothing is written (output folder ${o.outputDir})`, ''];
  STAGES.forEach((name, i) => {
    const reason = notRunReason(name, o, previous);
    const plan = planStage(name, o, exists);
    out.push(describePlan(plan, reason?.message, i + 1), '');
    if (!reason && !plan.blocked) for (const r of plan.reports) willExist.add(join(o.outputDir, r.file));
  });
  out.push(`then: ${join(o.outputDir, FILES.indexMd)} and ${join(o.outputDir, FILES.indexHtml)} link every report`);
  io.print(`${out.join('\n')}\n`);
  return { state: previous ?? newState(targetOf(o)), exitCode: 0 };
}

function targetOf(o: WorkflowOptions): WorkflowState['target'] {
  // The state file is a report too: no signed query string in it.
  return { remote: o.remote, bucket: o.bucket, directory: o.directory, baseUrl: o.baseUrl === undefined ? undefined : redactUrl(o.baseUrl) };
}

function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

function summaryTable(state: WorkflowState): string {
  const rows = STAGES.map((name) => [name, statusText(state.stages[name]), formatMs(state.stages[name].durationMs)]);
  const w0 = Math.max(5, ...rows.map((r) => r[0].length));
  return ['stage'.padEnd(w0) + '  status', ...rows.map((r) => `${r[0].padEnd(w0)}  ${r[1]}${r[2] ? `  [${r[2]}]` : ''}`)].join('\n');
}

async function askToRun(name: StageName, plan: StagePlan, io: WorkflowIo): Promise<'yes' | 'no' | 'quit'> {
  if (!io.ask) return 'yes';
  process.stderr.write(`\n${plan.steps.map((s) => `  $ ${displayCommand(s.args, s.env)}`).join('\n')}\n`);
  for (;;) {
    const a = (await io.ask(`Run stage "${name}"? [Y]es / [n]o, skip it / [q]uit: `)).trim().toLowerCase();
    if (a === '' || a === 'y' || a === 'yes') return 'yes';
    if (a === 'n' || a === 'no') return 'no';
    if (a === 'q' || a === 'quit') return 'quit';
  }
}

export async function runWorkflow(o: WorkflowOptions, io: WorkflowIo): Promise<WorkflowResult> {
  if (!o.remote || !o.bucket) throw new UsageError('workflow needs --remote and --bucket (as flags, MEDIA_TOOLKIT_* variables or in the --config file)');
  if (o.interactive && !io.ask) throw new UsageError('--interactive asks before each stage and needs a terminal (stdin is not a TTY); use --skip-<stage> or --resume-from instead');
  if (o.resume && o.resumeFrom) throw new UsageError('use either --resume (continue after the saved progress) or --resume-from STAGE, not both');
  const statePath = join(o.outputDir, FILES.state);
  // The saved state of the last run, read before this run writes its own: resumed, or (a fresh run) to know whether its changes got through.
  const earlier = await readState(statePath);
  const previous = o.resume || o.resumeFrom ? earlier : undefined;
  if (o.resume && !previous) throw new UsageError(`--resume: no saved progress in ${statePath} (run without --resume first, with --save-progress)`);
  if (previous) {
    const t = previous.target;
    if (t.remote !== o.remote || t.bucket !== o.bucket || (t.directory ?? '') !== (o.directory ?? '')) {
      warn(`the saved progress in ${statePath} is for ${t.remote}:${t.bucket}${t.directory ? `/${t.directory}` : ''}, not ${o.remote}:${o.bucket}${o.directory ? `/${o.directory}` : ''}`);
    }
  }
  if (o.dryRun) return dryRun(o, previous, io);

  const state = newState(targetOf(o));
  if (previous) {
    state.startedAt = previous.startedAt;
    if (previous.changes) state.changes = previous.changes;
  }
  const save = async () => {
    if (o.saveProgress) await writeState(statePath, state);
  };
  let stopReason: string | undefined;
  let stoppedBy: StageName | undefined;
  let thresholdsOnly = true;
  let facts: StageFacts | undefined;
  const ranOrKept = (s: StageName) => state.stages[s].status === 'done';
  /** What changed (this run's diff and optimize's replacements), composed once, before the first stage that needs it. */
  const changeFacts = async (): Promise<StageFacts> => {
    if (facts) return facts;
    const baseline = baselineListing(o.outputDir, o.previousListing, existsSync);
    const changes = await composeChanges(o.outputDir, { useListingChanges: ranOrKept('analysis'), useOptimize: ranOrKept('optimize'), baseline });
    state.changes = changes;
    const compared = ranOrKept('analysis') && baseline !== undefined && existsSync(join(o.outputDir, FILES.listingChanges));
    return (facts = { changesKnown: true, changes, compared });
  };

  for (const [i, name] of STAGES.entries()) {
    const st: StageState = (state.stages[name] = { status: 'pending' });
    // The errors stage explains a failed pre-warming or verify: it runs when their results were written.
    const diagnosis = name === 'errors' && (stoppedBy === 'prewarm' || stoppedBy === 'verify') && existsSync(join(o.outputDir, FILES.results));
    if (stopReason && !diagnosis) {
      st.message = stopReason;
      continue;
    }
    const reason = notRunReason(name, o, previous);
    if (reason) {
      if (reason.keep && previous && previous.stages[name].status !== 'pending') {
        state.stages[name] = { ...previous.stages[name], message: previous.stages[name].status === 'done' ? 'kept from the saved run' : previous.stages[name].message };
      } else {
        Object.assign(st, { status: 'skipped', message: reason.message });
      }
      info(`[${i + 1}/${STAGES.length}] ${name}: ${statusText(state.stages[name])}`);
      continue;
    }
    if (name === 'analysis') {
      // The listing an earlier run left becomes the previous one; a stale diff of an earlier run goes.
      if ((await moveListingAside(o.outputDir, state.startedAt, earlier)) === 'kept') {
        const base = baselineListing(o.outputDir, o.previousListing, existsSync);
        info(`  ${unfinishedRun(earlier)}: ${base ? `comparing with the listing before it (${base}), so its changes are purged and warmed now` : 'no listing before it, so everything is warmed again'}`);
      }
      if (!baselineListing(o.outputDir, o.previousListing, existsSync)) await rm(join(o.outputDir, FILES.listingChanges), { force: true });
    }
    const plan = planStage(name, o, existsSync, name === 'purge' || name === 'prewarm' ? await changeFacts() : name === 'verify' ? facts : undefined);
    if (plan.blocked) {
      if (name === 'prewarm' && plan.nothingToDo && facts) facts.warmedNothing = plan.blocked;
      Object.assign(st, { status: 'skipped', message: plan.blocked });
      info(`[${i + 1}/${STAGES.length}] ${name}: skipped (${plan.blocked})`);
      await save();
      continue;
    }
    if (o.interactive) {
      const answer = await askToRun(name, plan, io);
      if (answer === 'no') {
        Object.assign(st, { status: 'skipped', message: 'declined at the prompt' });
        await save();
        continue;
      }
      if (answer === 'quit') {
        stopReason = 'stopped at the prompt';
        st.message = stopReason;
        continue;
      }
    }

    info(`[${i + 1}/${STAGES.length}] ${name}: ${plan.title}`);
    const started = Date.now();
    Object.assign(st, { status: 'running', startedAt: new Date(started).toISOString(), commands: [] as string[], log: `${FILES.logs}/${name}.log` });
    await save();
    let log = '';
    for (const step of plan.steps) {
      const shown = displayCommand(step.args, step.env);
      st.commands?.push(shown);
      info(`  $ ${shown}`);
      const env = step.env ? { ...(io.childEnv ?? process.env), ...step.env } : io.childEnv;
      const r = await runStep(step.args, { prefix: `  [${name}] `, echo: true, signal: io.signal, env });
      log += `$ ${shown}\n${r.output}${r.output.endsWith('\n') ? '' : '\n'}exit ${r.code}\n\n`;
      st.exitCode = r.code;
      if (io.signal?.aborted) {
        Object.assign(st, { status: 'failed', message: 'interrupted' });
        break;
      }
      if (r.code !== 0) {
        const thresholds = name === 'loadtest' && r.code === EXIT_THRESHOLDS;
        Object.assign(st, { status: 'failed', message: thresholds ? 'k6 thresholds breached (exit 99)' : `exit ${r.code}: ${r.lastError}` });
        if (!thresholds) thresholdsOnly = false;
        break;
      }
    }
    if (st.status === 'running') st.status = 'done';
    st.finishedAt = new Date().toISOString();
    st.durationMs = Date.now() - started;
    await writeFileAtomic(join(o.outputDir, FILES.logs, `${name}.log`), log);
    await save();
    info(`[${i + 1}/${STAGES.length}] ${name}: ${statusText(st)} in ${formatMs(st.durationMs)}`);
    if (io.signal?.aborted) stopReason = 'interrupted';
    else if (st.status === 'failed' && !o.continueOnError && !stopReason) {
      stopReason = `${name} failed; fix it and re-run with --resume (or use --continue-on-error)`;
      stoppedBy = name;
    }
  }
  await save();
  const index = await writeIndex(o, state);
  io.print(`${summaryTable(state)}\n\nindex: ${index.md}\n       ${index.html}\n`);
  const failed = STAGES.filter((s) => state.stages[s].status === 'failed');
  const exitCode = failed.length === 0 ? 0 : thresholdsOnly && failed.length === 1 && failed[0] === 'loadtest' ? EXIT_THRESHOLDS : 1;
  return { state, index, exitCode };
}
