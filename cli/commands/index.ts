// One file per subcommand; each exports register(program).
import type { Command } from 'commander';
import { register as list } from './list.js';
import { register as analyze } from './analyze.js';
import { register as prewarm } from './prewarm.js';
import { register as errors } from './errors.js';
import { register as compare } from './compare.js';
import { register as validate } from './validate.js';
import { register as loadtest } from './loadtest.js';
import { register as optimize } from './optimize.js';
import { register as workflow } from './workflow.js';
import { register as origin } from './origin.js';
import { register as doctor } from './doctor.js';
import { register as demo } from './demo.js';
import { register as config } from './config.js';
import { register as merge } from './merge.js';
import { register as verify } from './verify.js';
import { register as diff } from './diff.js';
import { register as purge } from './purge.js';

/** `buildProgram` is handed to `config`, which parses a command on a fresh program without running it. */
export function registerCommands(program: Command, buildProgram: () => Command): void {
  for (const register of [list, analyze, prewarm, errors, compare, validate, loadtest, optimize, workflow, origin, doctor, demo]) {
    register(program);
  }
  config(program, buildProgram);
  merge(program);
  verify(program);
  diff(program);
  purge(program);
}
