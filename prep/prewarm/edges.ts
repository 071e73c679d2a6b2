// --edge ADDR[:PORT] (repeatable) and --edge-file: the addresses of edge servers or PoPs to
// warm, each reached directly while URL, Host and TLS server name stay the base URL's.
import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { UsageError } from '../../lib/errors.js';

export interface Edge {
  /** As the records show it: `127.0.0.2:8080`, `[2001:db8::1]:443`. */
  label: string;
  host: string;
  /** Port to dial; undefined = the base URL's. */
  port?: number;
}

/** `host:port` as records show an address (`[v6]:port` for IPv6). */
export function addressLabel(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The address a connected socket reached, as records show it; undefined before it connects. */
export function socketLabel(socket: Socket): string | undefined {
  return socket.remoteAddress ? addressLabel(socket.remoteAddress, socket.remotePort ?? 0) : undefined;
}

/** `1.2.3.4`, `1.2.3.4:8443`, `[2001:db8::1]:443`, `edge3.example.net:80`; the port defaults to the base URL's. */
export function parseEdge(value: string, defaultPort: number): Edge {
  const v = value.trim();
  let host: string;
  let port: string | undefined;
  const v6 = /^\[([0-9a-f:.]+)\](?::(\d+))?$/i.exec(v);
  if (v6) [, host, port] = v6;
  else {
    const m = /^([a-z0-9.-]+)(?::(\d+))?$/i.exec(v);
    if (!m) throw new UsageError(`--edge "${value}" is not ADDR or ADDR:PORT (e.g. 203.0.113.7 or 203.0.113.7:8443)`);
    [, host, port] = m;
  }
  const p = port === undefined ? defaultPort : Number(port);
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new UsageError(`--edge "${value}": port must be 1..65535`);
  return { label: addressLabel(host, p), host, port: p };
}

/** The default port of a base URL: its own, else 443 for https and 80 for http. */
export function basePort(baseUrl: string): number {
  const u = new URL(baseUrl);
  return u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
}

/** Edges from flags and a file (one per line, `#` comments), duplicates dropped. */
export async function loadEdges(values: readonly string[] | undefined, file: string | undefined, baseUrl: string): Promise<Edge[]> {
  const raw = [...(values ?? [])];
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new UsageError(`--edge-file ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    for (const line of text.split('\n')) {
      const t = line.replace(/#.*/, '').trim();
      if (t) raw.push(...t.split(/[\s,]+/));
    }
  }
  const port = basePort(baseUrl);
  const seen = new Map<string, Edge>();
  for (const v of raw.flatMap((x) => x.split(',')).filter((x) => x.trim())) {
    const e = parseEdge(v, port);
    if (!seen.has(e.label)) seen.set(e.label, e);
  }
  return [...seen.values()];
}
