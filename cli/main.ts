// media-toolkit: one commander program, a subcommand per job.
// Exit codes: 0 ok, 1 the work failed, 2 usage error. Stack traces only with --verbose.
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.js';
import { applyEnvVars } from './options.js';
import { EXIT_FAILURE, EXIT_USAGE, UsageError, oneLine } from '../lib/errors.js';
import { setLogLevel, isVerbose } from '../lib/log.js';
import { redactText, setRedactPatterns } from '../common/redact.js';
import { repeatable } from './options.js';
import { loadConfigFile } from './config/load.js';
import { applyConfig } from './config/apply.js';
import { applyEnv } from './config/env.js';

export function buildProgram(): Command {
  const program = new Command('media-toolkit')
    .description(
      'Warm, load-test and optimize a video or image CDN.\n\n' +
        'Typical order: list/analyze the bucket, prewarm every derivative, read the errors report,\n' +
        'loadtest with k6, optimize oversized sources. `workflow` runs them all; `demo` shows them on a local sample.\n' +
        'Every option can also be set as MEDIA_TOOLKIT_<OPTION_NAME> (for example MEDIA_TOOLKIT_BASE_URL).',
    )
    .version(process.env.npm_package_version ?? '0.1.0', '-V, --version')
    .option('-v, --verbose', 'more detail, and stack traces on errors')
    .option('-q, --quiet', 'only errors and results')
    .option('--config <file>', 'read option values from a YAML or JSON file (MEDIA_TOOLKIT_* variables and flags win over it; `config` shows the result)')
    .option(
      '--redact <pattern>',
      'also mask what this regular expression matches in every URL and log line (e.g. a token in a URL path); repeatable; with (groups), only the groups are masked',
      repeatable((v) => v.split('\n').filter(Boolean)),
    )
    .showSuggestionAfterError(true)
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    // default < --config file < MEDIA_TOOLKIT_* < flag: the file before the subcommand parses its flags,
    // the variables after, where no flag was given.
    .hook('preSubcommand', async (root, sub) => {
      applyEnv(root);
      const path = root.opts().config as string | undefined;
      if (path) applyConfig(await loadConfigFile(path), root, sub);
    })
    .hook('preAction', (_this, action) => {
      applyEnv(action);
      const globals = action.optsWithGlobals() as { verbose?: boolean; quiet?: boolean; redact?: string[] };
      setLogLevel(globals);
      try {
        setRedactPatterns(globals.redact ?? []);
      } catch (err) {
        throw new UsageError(oneLine(err));
      }
      // Child processes (workflow stages, k6) apply the same patterns.
      if (globals.redact?.length) process.env.MEDIA_TOOLKIT_REDACT = globals.redact.join('\n');
    });
  registerCommands(program, buildProgram);
  applyEnvVars(program);
  // Usage errors from commander (unknown option, bad value...) exit 2, help exits 0.
  const override = (cmd: Command) => {
    cmd.exitOverride();
    cmd.commands.forEach(override);
  };
  override(program);
  return program;
}

// Set once standard output has failed: its one line is already written.
let stdoutFailed = false;

/** Runs the CLI and resolves to the exit code (does not call process.exit). */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  const wantsVerbose = argv.includes('--verbose') || argv.includes('-v');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      // commander has already printed its one line (or the help, when no subcommand was given)
      return EXIT_USAGE;
    }
    if (stdoutFailed) return EXIT_FAILURE;
    const usage = err instanceof UsageError;
    process.stderr.write(`media-toolkit: ${usage ? '' : 'error: '}${redactText(oneLine(err))}\n`);
    if ((isVerbose() || wantsVerbose) && err instanceof Error && err.stack) process.stderr.write(`${redactText(err.stack)}\n`);
    return usage ? EXIT_USAGE : EXIT_FAILURE;
  }
}

const isMain = process.argv[1] !== undefined && /(media-toolkit(\.js)?|cli[\\/]main\.ts)$/.test(process.argv[1]);
if (isMain) {
  // A reader that stops early (`| head`) is not an error. Any other failure of standard output
  // (a full disk, an I/O error) ends the run with one line and exit 1; files already written
  // (results, reports) stay as they are.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    if (stdoutFailed) return;
    stdoutFailed = true;
    process.stderr.write(`media-toolkit: error: cannot write to standard output: ${redactText(oneLine(err))}\n`);
    process.exit(EXIT_FAILURE);
  });
  const code = await run(process.argv.slice(2));
  // Long-running commands (origin) keep the loop alive themselves; others end here.
  process.exitCode = code;
}
