// `media-toolkit config`: what a subcommand would run with, and where each value came from.
import type { Command } from 'commander';
import { UsageError } from '../../lib/errors.js';
import { loadConfigFile } from '../config/load.js';
import { configEntries, valuesFor } from '../config/apply.js';
import { closest } from '../config/levenshtein.js';
import { effectiveOptions, formatTable } from '../config/show.js';

/** Parses args for `name` on a fresh program without running it; returns the parsed command. */
async function parseWithoutRunning(buildProgram: () => Command, name: string, args: string[], globalArgs: string[]): Promise<Command> {
  const fresh = buildProgram();
  const target = fresh.commands.find((c) => c.name() === name);
  if (!target || name === 'config') {
    const guess = closest(name, fresh.commands.map((c) => c.name()));
    throw new UsageError(`unknown command "${name}"${guess ? ` (did you mean "${guess}"?)` : ''}`);
  }
  // Showing the configuration must work before every required value is known.
  for (const o of target.options) o.mandatory = false;
  let parsed: Command | undefined;
  target.action(function (this: Command) {
    parsed = this;
  });
  await fresh.parseAsync([...globalArgs, name, ...args], { from: 'user' });
  if (!parsed) throw new UsageError(`could not read the options of "${name}"`);
  return parsed;
}

/** `buildProgram` makes a fresh program to parse the shown command on (passed in: importing it would be a cycle). */
export function register(program: Command, buildProgram: () => Command): void {
  program
    .command('config')
    .summary('Show the effective options of a subcommand (defaults, --config file, MEDIA_TOOLKIT_* variables, flags)')
    .description(
      'Show the options a subcommand would run with, and where each value came\n' +
        'from: default < configuration file (--config) < MEDIA_TOOLKIT_* < flag.\n' +
        'Give the subcommand and its flags after `config` as you would run them;\n' +
        'nothing is run. Secrets are masked: options named like key, secret, token,\n' +
        'password or credential, signed query strings in URLs, --header values whose\n' +
        'name or value looks secret (Authorization, Cookie, X-Api-Key...), and what\n' +
        '--redact patterns match.\n\n' +
        'File keys (YAML or JSON) are option names in snake_case (base_url, workers,\n' +
        'size_threshold...) plus the sections thresholds, worker_allocation,\n' +
        'optimization, load_test, validation and logging (see examples/).\n' +
        'An unknown key is an error naming the file and the closest known key.',
    )
    .argument('[command]', 'the subcommand to show', 'workflow')
    .argument('[args...]', 'flags as you would pass them to that subcommand')
    .option('--json', 'print JSON instead of a table (put it before the subcommand name)')
    .allowUnknownOption(true)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ media-toolkit --config media-toolkit.yaml config prewarm\n' +
        '  $ MEDIA_TOOLKIT_WORKERS=20 media-toolkit --config media-toolkit.yaml config --json prewarm --timeout 30\n' +
        '  (see examples/media-toolkit.yaml for a complete file)',
    )
    .action(async (name: string, args: string[], opts: { json?: boolean }, self: Command) => {
      const root = self.parent as Command;
      const configPath = root.getOptionValue('config') as string | undefined;
      const parsed = await parseWithoutRunning(buildProgram, name, args, configPath ? ['--config', configPath] : []);
      const rows = effectiveOptions(parsed);
      let unused: string[] = [];
      if (configPath) {
        const file = await loadConfigFile(configPath);
        const entries = configEntries(file, parsed.parent as Command);
        const used = new Set([...valuesFor(parsed, entries, file).values()].map((v) => v.path));
        const usedByRoot = new Set([...valuesFor(parsed.parent as Command, entries, file).values()].map((v) => v.path));
        // logging.* applies to the whole program, whatever the command.
        unused = entries.map((e) => e.path).filter((p) => !used.has(p) && !usedByRoot.has(p) && !p.startsWith('logging.'));
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ command: name, configFile: configPath ?? null, options: rows, unusedKeys: unused }, null, 2)}\n`);
        return;
      }
      const head = [`media-toolkit ${name}`, `configuration file: ${configPath ?? 'none (--config FILE or MEDIA_TOOLKIT_CONFIG)'}`];
      const tail = unused.length ? [`\nkeys in the file that ${name} does not take: ${unused.join(', ')}`] : [];
      process.stdout.write(`${[...head, '', formatTable(rows), ...tail].join('\n')}\n`);
    });
}
