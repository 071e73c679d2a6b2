// Reads the settings in init context: __ENV over the JSON CONFIG_FILE (opened
// here, so it travels inside a k6 archive) over defaults.
import { resolveConfig, type LoadtestConfig } from './config.js';
import { openFile } from './data.js';

export function loadSettings(env: Record<string, string> = __ENV): LoadtestConfig {
  let file: Record<string, unknown> = {};
  if (env.CONFIG_FILE) {
    const text = openFile(env.CONFIG_FILE, 'CONFIG_FILE');
    try {
      file = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`CONFIG_FILE is not valid JSON: ${env.CONFIG_FILE} (${(err as Error).message})`);
    }
    if (!file || typeof file !== 'object' || Array.isArray(file)) throw new Error(`CONFIG_FILE must hold a JSON object: ${env.CONFIG_FILE}`);
  }
  return resolveConfig(env, file);
}
