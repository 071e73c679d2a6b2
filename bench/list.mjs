// Objects per second listing a 100,000-object bucket on the local S3 server
// (versitygw on 127.0.0.1), `media-toolkit list --remote s3` against rclone on
// the same bucket in the same run. Both are whole processes timed from spawn to
// exit, output streamed to a line counter (each run's count is checked).
//
// References:
//   rclone lsjson -R --files-only                   as the issue names it. For S3, rclone then asks
//                                                   for each object's MIME type and modtime: one HEAD
//                                                   per object.
//   rclone lsjson -R --files-only --no-mimetype --use-server-modtime
//                                                   the same fields we list (key, size, modtime)
//                                                   without per-object HEADs: the fair comparison.
//
// The seeded server root is cached in .cache/ (git-ignored) between runs.
// Prints:
//   RESULT list-vs-rclone | <ratio>x (<ours> obj/s vs <rclone> obj/s) | >=2x | pass|fail
//   RESULT list-vs-rclone-no-head | <ratio>x (...) | >=2x | pass|fail
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const N = Number(process.env.BENCH_LIST_OBJECTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_LIST_ROUNDS ?? 3);
const BUCKET = 'bench-list';
const cache = join(root, '.cache');
mkdirSync(cache, { recursive: true });

// The test fixture is TypeScript: bundle it for this script.
const { build } = await import(join(root, 'node_modules', 'esbuild', 'lib', 'main.js'));
const fixture = join(cache, 'bench-s3-server.mjs');
await build({ entryPoints: [join(root, 'test', 'fixtures', 's3-server.ts')], outfile: fixture, bundle: true, format: 'esm', platform: 'node', packages: 'external', logLevel: 'error' });
if (!existsSync(join(root, 'dist', 'node', 'media-toolkit.js'))) spawnSync(process.execPath, ['build.mjs', '--quiet'], { cwd: root, stdio: 'inherit' });
const { startS3Server } = await import(fixture);

const serverRoot = join(cache, `bench-s3-root-${N}`);
const marker = join(serverRoot, `.seeded-${N}`);
const s3 = await startS3Server({ root: serverRoot });
try {
  if (!existsSync(marker)) {
    const t = Date.now();
    process.stderr.write(`bench: seeding ${N} objects into ${serverRoot} (cached for later runs)\n`);
    await s3.createBucket(BUCKET);
    // 10 x 10 folders of N/100 objects: the shape of a media library (year/month/...).
    const perLeaf = Math.ceil(N / 100);
    const BATCH = 10_000;
    let batch = [];
    for (let i = 0; i < N; i++) {
      const leaf = Math.floor(i / perLeaf);
      batch.push({ key: `videos/${Math.floor(leaf / 10)}/${leaf % 10}/clip-${String(i).padStart(6, '0')}.mp4`, size: (i * 7919) % 2048 });
      if (batch.length === BATCH || i === N - 1) {
        await s3.writeObjects(BUCKET, batch);
        batch = [];
      }
    }
    writeFileSync(marker, `${new Date().toISOString()}\n`);
    process.stderr.write(`bench: seeded in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
  }

  const env = { ...process.env, ...s3.awsEnv(), AWS_CA_BUNDLE: '' };
  const rcloneEnv = {
    ...env,
    RCLONE_CONFIG_BENCHS3_TYPE: 's3',
    RCLONE_CONFIG_BENCHS3_PROVIDER: 'Other',
    RCLONE_CONFIG_BENCHS3_ACCESS_KEY_ID: s3.accessKeyId,
    RCLONE_CONFIG_BENCHS3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    RCLONE_CONFIG_BENCHS3_ENDPOINT: s3.endpoint,
    RCLONE_CONFIG_BENCHS3_REGION: 'us-east-1',
    RCLONE_CONFIG_BENCHS3_FORCE_PATH_STYLE: 'true',
  };

  /** Runs a command, counts listed objects on its stdout, returns objects per second. */
  const timed = (cmd, args, cmdEnv, countLine) =>
    new Promise((resolve, reject) => {
      const t = process.hrtime.bigint();
      const child = spawn(cmd, args, { env: cmdEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      let count = 0;
      let rest = '';
      let err = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d) => {
        const lines = (rest + d).split('\n');
        rest = lines.pop();
        for (const l of lines) if (countLine(l)) count++;
      });
      child.stderr.on('data', (d) => (err = (err + d).slice(-2000)));
      child.on('error', reject);
      child.on('close', (code) => {
        const s = Number(process.hrtime.bigint() - t) / 1e9;
        if (code !== 0) return reject(new Error(`${cmd} exited ${code}: ${err}`));
        if (count !== N) return reject(new Error(`${cmd} listed ${count} objects, expected ${N}`));
        resolve({ seconds: s, rate: N / s });
      });
    });

  const ours = () =>
    timed(process.execPath, [join(root, 'bin', 'media-toolkit.js'), 'list', '--remote', 's3', '--endpoint', s3.endpoint, '--region', 'us-east-1', '--bucket', BUCKET, '--format', 'jsonl'], env, (l) => l.startsWith('{'));
  const rcloneFields = () =>
    timed('rclone', ['lsjson', '-R', '--files-only', '--no-mimetype', '--use-server-modtime', `benchs3:${BUCKET}`], rcloneEnv, (l) => l.startsWith('{'));
  const rclonePlain = () => timed('rclone', ['lsjson', '-R', '--files-only', `benchs3:${BUCKET}`], rcloneEnv, (l) => l.startsWith('{'));

  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const oursRates = [];
  const fieldsRates = [];
  await ours(); // warm the server's caches for everyone
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate, so drift in machine load hits both sides.
    oursRates.push((await ours()).rate);
    fieldsRates.push((await rcloneFields()).rate);
    process.stderr.write(`bench: round ${r + 1}: ours ${oursRates[r].toFixed(0)} obj/s, rclone (no HEAD) ${fieldsRates[r].toFixed(0)} obj/s\n`);
  }
  process.stderr.write(`bench: plain rclone lsjson -R (one HEAD per object), one run...\n`);
  const plain = await rclonePlain();
  const o = median(oursRates);
  const f = median(fieldsRates);
  const line = (name, ref) => {
    const ratio = o / ref;
    console.log(`RESULT ${name} | ${ratio.toFixed(2)}x (${o.toFixed(0)} obj/s vs ${ref.toFixed(0)} obj/s) | >=2x | ${ratio >= 2 ? 'pass' : 'fail'}`);
  };
  process.stderr.write(`bench: ${N} objects; medians of ${ROUNDS} runs; plain rclone ${plain.seconds.toFixed(1)} s\n`);
  line('list-vs-rclone', plain.rate);
  line('list-vs-rclone-no-head', f);
} finally {
  await s3.stop();
}
