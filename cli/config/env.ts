// MEDIA_TOOLKIT_* variables, applied above the configuration file and below flags.
// Commander only listens for an option's variable when the variable is known as the
// option is added; applyEnvVars (cli/options.ts) names them afterwards, so commander
// alone never reads them. This applies them, with the source 'env', after the flags
// are parsed, to options that got no flag (as commander itself would).
import type { Command, Option } from 'commander';
import { UsageError } from '../../lib/errors.js';
import { boolArg, markReplaceable } from '../options.js';

export function applyEnv(cmd: Command, env: NodeJS.ProcessEnv = process.env): void {
  for (const opt of cmd.options as Option[]) {
    if (!opt.envVar || opt.negate) continue;
    const raw = env[opt.envVar];
    if (raw === undefined) continue;
    const attr = opt.attributeName();
    const source = cmd.getOptionValueSource(attr);
    if (source !== undefined && source !== 'default' && source !== 'config') continue;
    let value: unknown;
    if (!opt.required && !opt.optional) {
      // A flag: "false", "0", "no" turn it off; anything else (even empty) turns it on.
      try {
        value = raw.trim() === '' ? true : boolArg(raw);
      } catch {
        value = true;
      }
    } else if (opt.parseArg) {
      try {
        value = markReplaceable(opt.parseArg(raw, (source === 'config' ? undefined : cmd.getOptionValue(attr)) as never));
      } catch (err) {
        throw new UsageError(`${opt.envVar}: ${(err as Error).message} (for ${cmd.parent ? `${cmd.name()} ` : ''}${opt.long})`);
      }
    } else value = raw;
    cmd.setOptionValueWithSource(attr, value, 'env');
  }
}
