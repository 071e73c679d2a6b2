import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The toolkit's own folder (where its package.json is), from source or from the bundle in dist/node. */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).name === 'media-toolkit') return (cached = dir);
      } catch {
        /* keep looking */
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the media-toolkit folder (package.json)');
    dir = parent;
  }
}

/** The git-ignored folder where setup-tools.sh builds k6 and the S3 server. */
export function toolsBinDir(): string {
  return join(projectRoot(), 'tools', 'bin');
}

/** Pinned versions from package.json "config". */
export function pinnedVersions(): { k6Version: string; versitygwVersion: string } {
  const pkg = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8'));
  return pkg.config;
}
