// S3-compatible listing (AWS S3, Cloudflare R2, MinIO, versitygw...) through
// @aws-sdk/client-s3 v3, fanned out over common prefixes for large buckets.
//
// Order: keys stream in S3 key order (UTF-8 bytes), whatever order the
// parallel listings finish in. Every prefix is a node; the walk reads the nodes
// depth-first in key order while up to `concurrency` ListObjectsV2 requests run
// ahead for the nodes that come next (smallest prefix first). What runs ahead
// is capped at `budget` buffered objects, so memory stays bounded.
import type { S3Client, ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { loadS3Sdk } from '../lib/aws-sdk.js';
import { RuntimeError } from '../lib/errors.js';
import { redactUrl } from '../common/redact.js';
import { createHeap } from './heap.js';
import { compareKeys } from './key-order.js';
import type { ListOptions, StoredObject } from './types.js';

export interface S3ListTuning {
  /** Concurrent ListObjectsV2 requests (default 16). */
  concurrency?: number;
  /** Objects listed ahead of the reader at most (default concurrency * 2000). */
  budget?: number;
  /** Prefix nodes listed with a delimiter before the rest are listed flat (default concurrency * 16). */
  maxTreeNodes?: number;
  pageSize?: number;
}

/** The S3 client for --endpoint/--region/--profile; credentials from the standard AWS chain. */
export async function createS3Client(opts: Pick<ListOptions, 'endpoint' | 'region' | 'profile' | 'forcePathStyle'>): Promise<S3Client> {
  const { S3Client } = await loadS3Sdk();
  return new S3Client({
    endpoint: opts.endpoint || undefined,
    // us-east-1 is what MinIO and most servers expect by default, and R2 accepts it as well as auto.
    region: opts.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1',
    profile: opts.profile || undefined,
    forcePathStyle: opts.forcePathStyle ?? Boolean(opts.endpoint),
    // R2 and most S3-compatible servers reject the newer default checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
  });
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'TimeoutError', 'RequestTimeout']);

function networkCode(err: unknown): string | undefined {
  let e = err as { code?: string; name?: string; cause?: unknown; errors?: unknown[] } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (e.code && NETWORK_CODES.has(e.code)) return e.code;
    if (e.name && NETWORK_CODES.has(e.name)) return e.name;
    if (Array.isArray(e.errors) && e.errors.length > 0) {
      const inner = networkCode(e.errors[0]);
      if (inner) return inner;
    }
    e = e.cause as typeof e;
  }
  return undefined;
}

/** One clear line for a failed listing, naming the bucket and endpoint, never a secret. */
export function describeS3Error(err: unknown, bucket: string, endpoint: string | undefined, profile?: string): RuntimeError {
  const where = endpoint ? redactUrl(endpoint) : 'AWS S3';
  const e = err as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? '';
  const status = e?.$metadata?.httpStatusCode;
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(e?.message ?? '')) {
    if (profile) return new RuntimeError(`no AWS credentials found for profile "${profile}" in the AWS config and credentials files`);
    return new RuntimeError(`no AWS credentials found for --remote s3: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or --profile NAME`);
  }
  if (name === 'NoSuchBucket' || e?.Code === 'NoSuchBucket') return new RuntimeError(`bucket "${bucket}" does not exist at ${where}`);
  if (['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken', 'InvalidClientTokenId'].includes(name)) {
    return new RuntimeError(`${where} rejected the credentials (${name}) listing bucket "${bucket}"`);
  }
  if (name === 'AccessDenied' || status === 403) return new RuntimeError(`access denied listing bucket "${bucket}" at ${where} (${name || 'HTTP 403'})`);
  if (name === 'PermanentRedirect' || status === 301) return new RuntimeError(`bucket "${bucket}" is in another region: set --region (${where})`);
  const net = networkCode(err);
  if (net) return new RuntimeError(`cannot reach S3 endpoint ${where}: ${net}`);
  const msg = (e?.message ?? String(err)).split('\n')[0];
  return new RuntimeError(`listing bucket "${bucket}" at ${where} failed: ${name ? `${name}: ` : ''}${msg}${status ? ` (HTTP ${status})` : ''}`);
}

type Item = { obj: StoredObject; node?: undefined } | { obj?: undefined; node: PrefixNode };

interface PrefixNode {
  prefix: string;
  /** Listed with delimiter '/' (children become nodes) or flat (everything below). */
  tree: boolean;
  items: Item[];
  head: number;
  done: boolean;
  /** Wakes the reader waiting on this node. */
  wake: (() => void) | null;
}

interface SlotWaiter {
  node: PrefixNode;
  grant: () => void;
  granted: boolean;
}

function toStored(o: { Key?: string; Size?: number; LastModified?: Date; ETag?: string }): StoredObject {
  return {
    key: o.Key ?? '',
    size: o.Size ?? 0,
    lastModified: o.LastModified ? o.LastModified.toISOString() : '',
    etag: (o.ETag ?? '').replace(/^"|"$/g, ''),
  };
}

/** Streams the objects under a prefix of a bucket. The client is not destroyed here. */
export async function* listS3(client: S3Client, bucket: string, prefix: string, tuning: S3ListTuning = {}, endpoint?: string, profile?: string): AsyncGenerator<StoredObject> {
  const concurrency = Math.max(1, tuning.concurrency ?? 16);
  const budget = tuning.budget ?? concurrency * 2000;
  const maxTreeNodes = tuning.maxTreeNodes ?? concurrency * 16;
  const pageSize = tuning.pageSize ?? 1000;

  let active = 0;
  let buffered = 0;
  let treeNodes = 0;
  let closed = false;
  let failure: unknown = null;
  let reading: PrefixNode | null = null;
  const waiters = createHeap<SlotWaiter>((a, b) => compareKeys(a.node.prefix, b.node.prefix) < 0);
  let readingWaiter: SlotWaiter | null = null;

  const pump = () => {
    while (active < concurrency) {
      // The node being read always gets a slot; others only while under budget.
      let w: SlotWaiter | undefined;
      if (readingWaiter && !readingWaiter.granted) w = readingWaiter;
      else {
        while (waiters.size > 0 && waiters.peek()!.granted) waiters.pop();
        if (waiters.size === 0 || buffered >= budget) return;
        w = waiters.pop()!;
      }
      w.granted = true;
      if (w === readingWaiter) readingWaiter = null;
      active++;
      w.grant();
    }
  };

  const acquire = (node: PrefixNode) =>
    new Promise<void>((resolve) => {
      const w: SlotWaiter = { node, grant: resolve, granted: false };
      waiters.push(w);
      if (node === reading) readingWaiter = w;
      pump();
    });

  const wakeAll = () => {
    if (reading?.wake) {
      const wake = reading.wake;
      reading.wake = null;
      wake();
    }
  };

  const makeNode = (p: string): PrefixNode => {
    const tree = treeNodes < maxTreeNodes;
    if (tree) treeNodes++;
    const node: PrefixNode = { prefix: p, tree, items: [], head: 0, done: false, wake: null };
    void run(node);
    return node;
  };

  async function run(node: PrefixNode): Promise<void> {
    const { paginateListObjectsV2 } = await loadS3Sdk();
    const pages = paginateListObjectsV2(
      { client, pageSize, stopOnSameToken: true },
      { Bucket: bucket, Prefix: node.prefix || undefined, Delimiter: node.tree ? '/' : undefined },
    );
    try {
      for (;;) {
        await acquire(node);
        let page: IteratorResult<ListObjectsV2CommandOutput>;
        try {
          if (closed) break;
          page = await pages.next();
        } finally {
          active--;
          pump();
        }
        if (closed || page.done) break;
        const out = page.value;
        // Contents and CommonPrefixes each come sorted; merge them into key order. A zero-byte key
        // ending in '/' is a folder marker (the consoles make them), not a file; one with bytes is listed.
        const objs = (out.Contents ?? []).filter((o) => o.Key !== undefined && !(o.Key.endsWith('/') && (o.Size ?? 0) === 0));
        const prefixes = (out.CommonPrefixes ?? []).map((c) => c.Prefix ?? '').filter((p) => p && p !== node.prefix);
        let i = 0;
        let j = 0;
        while (i < objs.length || j < prefixes.length) {
          if (j >= prefixes.length || (i < objs.length && compareKeys(objs[i].Key!, prefixes[j]) < 0)) {
            node.items.push({ obj: toStored(objs[i++]) });
            buffered++;
          } else node.items.push({ node: makeNode(prefixes[j++]) });
        }
        if (node === reading && node.wake) wakeAll();
      }
    } catch (err) {
      if (!closed) failure = failure ?? err;
    } finally {
      node.done = true;
      if (failure) wakeAll();
      if (node === reading) wakeAll();
    }
  }

  async function* walk(node: PrefixNode): AsyncGenerator<StoredObject> {
    for (;;) {
      while (node.head >= node.items.length && !node.done && !failure) {
        reading = node;
        await new Promise<void>((resolve) => {
          node.wake = resolve;
          // A slot request made before this node became the one being read gets its priority now
          // (replacing the priority of the node read before, which the reader no longer waits on).
          const mine = waiters.items().find((w) => w.node === node && !w.granted);
          if (mine) readingWaiter = mine;
          else if (readingWaiter && readingWaiter.node !== node) readingWaiter = null;
          pump();
        });
      }
      if (failure) throw describeS3Error(failure, bucket, endpoint, profile);
      if (node.head >= node.items.length) return;
      const item = node.items[node.head];
      node.items[node.head++] = undefined as unknown as Item;
      if (node.head > 4096 && node.head * 2 > node.items.length) {
        node.items = node.items.slice(node.head);
        node.head = 0;
      }
      if (item.obj) {
        buffered--;
        if (buffered === budget - 1) pump();
        yield item.obj;
      } else {
        yield* walk(item.node);
        reading = node;
      }
    }
  }

  const root = makeNode(prefix);
  try {
    yield* walk(root);
  } finally {
    closed = true;
  }
}
