// An rclone remote: `--remote NAME` (any name but s3 and local, or `rclone:NAME`).
// One streamed `rclone lsjson -R --files-only` call, parsed line by line as it
// arrives: never one call per file, never the whole output in memory.
// Order: rclone's (per folder, files before subfolders), not sorted.
import { spawn } from 'node:child_process';
import { RuntimeError } from '../lib/errors.js';
import { redactText } from '../common/redact.js';
import { requireTool } from '../lib/tools.js';
import { jsonValuesByLine } from './json-lines.js';
import type { StoredObject } from './types.js';

interface LsjsonItem {
  Path: string;
  Size: number;
  ModTime?: string;
  IsDir?: boolean;
  Hashes?: Record<string, string>;
}

/** The rclone path for remote, bucket and folder: "NAME:bucket/dir". */
export function rclonePath(remote: string, bucket: string, directory = ''): string {
  const dir = directory.replace(/^\/+|\/+$/g, '');
  const b = bucket.replace(/\/+$/, '');
  return `${remote}:${[b, dir].filter(Boolean).join('/')}`;
}

/** One line for what went wrong, from rclone's stderr. */
function describeRcloneFailure(remote: string, target: string, stderr: string, code: number | null): RuntimeError {
  const lines = stderr.split('\n').map((l) => l.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /, '').trim()).filter((l) => l && !l.startsWith('NOTICE'));
  const text = lines.join(' ');
  if (/didn't find section in config file/i.test(text)) {
    return new RuntimeError(`unknown remote "${remote}": not "s3" or "local", and rclone has no remote of that name (see \`rclone listremotes\`)`);
  }
  if (/NoSuchBucket|bucket.*(does not exist|doesn't exist|not found)/i.test(text)) return new RuntimeError(`bucket not found listing ${target} with rclone`);
  if (/directory not found/i.test(text)) return new RuntimeError(`${target} not found (rclone: directory not found)`);
  if (/InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied|403/i.test(text)) return new RuntimeError(`access denied listing ${target} with rclone: check the remote's credentials`);
  if (/connection refused|no such host|i\/o timeout|network is unreachable/i.test(text)) {
    const m = /(connection refused|no such host|i\/o timeout|network is unreachable)/i.exec(text);
    return new RuntimeError(`cannot reach the endpoint of remote "${remote}": ${m![1]}`);
  }
  const last = lines.filter((l) => /error|failed/i.test(l)).pop() ?? lines.pop() ?? `exit code ${code}`;
  return new RuntimeError(`rclone lsjson ${target} failed: ${redactText(last).slice(0, 300)}`);
}

export async function* listRclone(remote: string, bucket: string, directory = '', opts: { rcloneBin?: string; concurrency?: number } = {}): AsyncGenerator<StoredObject> {
  const bin = requireTool('rclone', opts.rcloneBin);
  const target = rclonePath(remote, bucket, directory);
  // Keys are relative to the bucket, as with every backend.
  const prefix = directory.replace(/^\/+|\/+$/g, '');
  const args = [
    'lsjson', '-R', '--files-only', '--no-mimetype',
    // Modification times from the listing itself: without this rclone sends one HEAD per S3 object.
    '--use-server-modtime',
    '--checkers', String(opts.concurrency ?? 16),
    target,
  ];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8000);
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  let finished = false;
  try {
    for await (const v of jsonValuesByLine(child.stdout, `rclone lsjson ${target}`)) {
      const item = v as LsjsonItem;
      if (item.IsDir) continue;
      yield {
        key: prefix ? `${prefix}/${item.Path}` : item.Path,
        size: item.Size < 0 ? 0 : item.Size,
        lastModified: item.ModTime ? new Date(item.ModTime).toISOString() : '',
        etag: '',
      };
    }
    const code = await exited;
    finished = true;
    if (code !== 0) throw describeRcloneFailure(remote, target, stderr, code);
  } finally {
    if (!finished && child.exitCode === null) child.kill('SIGTERM');
  }
}
