// `media-toolkit merge`: join the results of sharded pre-warming runs into one results file.
import type { Command } from 'commander';
import { mergeResults } from '../../prep/merge/merge-results.js';

export function register(program: Command): void {
  program
    .command('merge')
    .summary('Join the results files of sharded pre-warming runs (prewarm --shard i/n) into one')
    .description(
      'Join results files into one, as if a single unsharded run had written it.\n' +
        'Inputs: results JSON, JSON Lines logs, or folders of them (FILE.json is\n' +
        'preferred over its own FILE.jsonl; summaries and other JSON are skipped).\n' +
        'One record is kept per key and derivative: a success beats a failure, and\n' +
        'among equals the latest (startedAt) wins, so a retried shard counts once.\n' +
        'Writes FILE.json (what errors and loadtest read), FILE.jsonl and\n' +
        'FILE.summary.json, each atomically.',
    )
    .argument('<inputs...>', 'results files (.json, .jsonl) or folders holding them')
    .option('--output <file>', 'merged results file; FILE.jsonl and FILE.summary.json go beside it', 'merged-results.json')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ media-toolkit merge shards/ --output results.json\n' +
        '  $ media-toolkit merge shard-1.json shard-2.json shard-3.jsonl --output results.json',
    )
    .action(async (inputs: string[], opts: { output: string }) => {
      const { paths, summary } = await mergeResults(inputs, opts.output);
      const ok = summary.stats.overall.ok;
      process.stdout.write(
        `merged ${summary.mergedFrom.length} file(s): ${summary.inputRecords} records in, ${summary.records} kept ` +
          `(${summary.duplicatesDropped} duplicates dropped), ${ok} ok, ${summary.records - ok} failed\n` +
          `results: ${paths.json} (JSON Lines ${paths.jsonl}), summary: ${paths.summary}\n`,
      );
    });
}
