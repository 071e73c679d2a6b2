// The scale-out recipes in examples/ parse, have the fields their tools need, and only
// use flags and k6 variables that exist.
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { ROOT, runCli } from './helpers/cli.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function docs(file: string): Promise<Doc[]> {
  const all = parseAllDocuments(await readFile(join(ROOT, 'examples', file), 'utf8'));
  for (const d of all) expect(d.errors, file).toEqual([]);
  return all.map((d) => d.toJS() as Doc);
}

/** `media-toolkit <cmd> --flag ...` invocations inside shell text. */
function invocations(text: string): Array<{ command: string; flags: string[] }> {
  const out: Array<{ command: string; flags: string[] }> = [];
  for (const part of text.split(/media-toolkit\s+/).slice(1)) {
    const command = /^[a-z]+/.exec(part)?.[0] ?? '';
    // The command ends at &&, ;, || or a line break that is not a continuation.
    const upTo = part.split(/&&|;|\|\||(?<!\\)\n/)[0];
    out.push({ command, flags: [...upTo.matchAll(/(?:^|\s)(--[a-z0-9-]+)/g)].map((m) => m[1]) });
  }
  return out;
}

async function checkFlagsExist(text: string): Promise<number> {
  const calls = invocations(text).filter((c) => !['config'].includes(c.command));
  const help = new Map<string, string>();
  for (const c of calls) {
    if (!help.has(c.command)) {
      const r = await runCli([c.command, '--help']);
      expect(r.code, `${c.command} --help`).toBe(0);
      help.set(c.command, r.stdout);
    }
    for (const f of c.flags) expect(help.get(c.command), `media-toolkit ${c.command} ${f}`).toMatch(new RegExp(`${f}\\b`));
  }
  return calls.length;
}

describe('examples', () => {
  it('k6-operator TestRun: parallel runners, script and data from a PersistentVolumeClaim', async () => {
    const [run] = await docs('k8s/k6-testrun.yaml');
    expect(run.apiVersion).toBe('k6.io/v1alpha1');
    expect(run.kind).toBe('TestRun');
    expect(run.spec.parallelism).toBeGreaterThan(1);
    expect(run.spec.script.volumeClaim.name).toBeTruthy();
    expect(run.spec.script.volumeClaim.file).toMatch(/\.js$/);
    expect(run.spec.script.configMap).toBeUndefined();
    const env = Object.fromEntries((run.spec.runner.env as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]));
    // The operator mounts the claim at /test: the data the script reads must be there.
    expect(env.RESULTS_FILE).toMatch(/^\/test\//);
    expect(env.BASE_URL).toMatch(/^https:\/\//);
    // Every variable is one the bundled scenario reads.
    const scenarioConfig = await readFile(join(ROOT, 'scenarios', 'lib', 'config.ts'), 'utf8');
    for (const name of Object.keys(env)) {
      const known = scenarioConfig.includes(`'${name}'`) || /^STAGE[1-5]_(USERS|DURATION)$/.test(name);
      expect(known, `${name} is read by scenarios/lib/config.ts`).toBe(true);
    }
  });

  it('Indexed Job: shards from JOB_COMPLETION_INDEX, results on a shared volume, then merge', async () => {
    const all = await docs('k8s/prewarm-indexed-job.yaml');
    const jobs = all.filter((d) => d.kind === 'Job');
    const shardJob = jobs.find((j) => j.spec.completionMode === 'Indexed');
    expect(shardJob).toBeDefined();
    const n = shardJob!.spec.completions as number;
    expect(n).toBeGreaterThan(1);
    const pod = shardJob!.spec.template.spec;
    const args = (pod.containers[0].args as string[]).join(' ');
    expect(args).toContain('media-toolkit prewarm');
    expect(args).toMatch(new RegExp(`--shard \\$\\{JOB_COMPLETION_INDEX\\}/${n}\\b`));
    const mount = pod.containers[0].volumeMounts[0].mountPath as string;
    expect(args).toMatch(new RegExp(`--output ${mount}/`));
    expect(pod.volumes[0].persistentVolumeClaim.claimName).toBeTruthy();
    const pvc = all.find((d) => d.kind === 'PersistentVolumeClaim');
    expect(pvc?.spec.accessModes).toContain('ReadWriteMany');
    const merge = jobs.find((j) => j !== shardJob);
    expect((merge!.spec.template.spec.containers[0].args as string[]).join(' ')).toMatch(/media-toolkit merge \/data\/shards --output \/data\/prewarm-results\.json/);
    expect(await checkFlagsExist(args + '\n' + (merge!.spec.template.spec.containers[0].args as string[]).join(' '))).toBeGreaterThanOrEqual(3);
  });

  it('CI example: pre-warms, then gates on the k6 thresholds', async () => {
    const text = await readFile(join(ROOT, 'examples', 'ci', 'github-actions.yml'), 'utf8');
    const ci = parse(text) as Doc;
    expect(ci.on).toBeDefined();
    const job = Object.values(ci.jobs as Record<string, Doc>)[0];
    const runs = (job.steps as Doc[]).map((s) => String(s.run ?? ''));
    const prewarmAt = runs.findIndex((r) => r.includes('media-toolkit prewarm'));
    const loadtestAt = runs.findIndex((r) => r.includes('media-toolkit loadtest'));
    expect(prewarmAt).toBeGreaterThanOrEqual(0);
    expect(loadtestAt).toBeGreaterThan(prewarmAt);
    // The gate: loadtest's exit code (99 on breached thresholds) fails the step; nothing swallows it.
    expect(runs[loadtestAt]).not.toMatch(/\|\|\s*true|continue-on-error/);
    expect((job.steps as Doc[])[loadtestAt]['continue-on-error']).toBeUndefined();
    expect(runs[loadtestAt]).toMatch(/--(req-duration|failure-rate)-threshold/);
    expect(await checkFlagsExist(runs.join('\n'))).toBeGreaterThanOrEqual(3);
  });

  it('the example configuration file is valid for every command', async () => {
    for (const cmd of ['workflow', 'loadtest']) {
      const r = await runCli(['--config', join(ROOT, 'examples', 'media-toolkit.yaml'), 'config', '--json', cmd]);
      expect(r.code, `${cmd}: ${r.stderr}`).toBe(0);
      const shown = JSON.parse(r.stdout) as { options: Array<{ source: string }> };
      expect(shown.options.filter((o) => o.source === 'config').length, cmd).toBeGreaterThan(2);
    }
  });
});
