// The count-and-discard HTTP/1.1 client against raw TCP servers that answer byte for byte
// what each test writes: every framing RFC 9112 gives a response, split at awkward places.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { countingConnectionFor } from '../prep/prewarm/counting-connection.js';

type Script = (sock: Socket, request: string, n: number) => void;
let server: Server;
let origin = '';
let script: Script = () => {};
let requests: string[] = [];
let sockets = 0;

beforeAll(async () => {
  server = createServer((sock) => {
    sockets++;
    let buf = '';
    let n = 0;
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let at;
      while ((at = buf.indexOf('\r\n\r\n')) >= 0) {
        const req = buf.slice(0, at + 4);
        buf = buf.slice(at + 4);
        requests.push(req);
        script(sock, req, ++n);
      }
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

interface Got {
  status: number;
  headers: Record<string, string>;
  bytes: number;
  error?: string;
}

function request(c: ReturnType<typeof countingConnectionFor>, path = '/x', method = 'GET', headers?: Record<string, string>): Promise<Got> {
  return new Promise((resolve) => {
    const got: Got = { status: 0, headers: {}, bytes: 0 };
    c.dispatch({ origin, path, method, headers } as never, {
      onConnect() {},
      onHeaders(status, raw) {
        got.status = status;
        for (let i = 0; i < raw.length; i += 2) got.headers[raw[i].toLowerCase()] = raw[i + 1];
        return true;
      },
      onData(chunk) {
        got.bytes += chunk.length;
        return true;
      },
      onComplete: () => resolve(got),
      onError: (err) => resolve({ ...got, error: `${(err as { code?: string }).code}: ${err.message}` }),
    });
  });
}

const conn = () => countingConnectionFor(origin, undefined, { keepAliveMs: 2000, connectTimeoutMs: 2000 });

/** Writes the pieces with a pause between, so they arrive as separate reads. */
function dribble(sock: Socket, pieces: string[], then?: () => void) {
  let i = 0;
  const next = () => {
    if (i >= pieces.length) return then?.();
    sock.write(pieces[i++]);
    setTimeout(next, 15);
  };
  next();
}

describe('the counting HTTP/1.1 client', () => {
  it('Content-Length bodies over a kept-alive socket, the header block split across reads', async () => {
    script = (sock) => dribble(sock, ['HTTP/1.1 200 OK\r\nContent-Le', 'ngth: 10\r\ncf-cache-status: HIT\r\n\r', '\n01234', '56789']);
    requests = [];
    sockets = 0;
    const c = conn();
    const a = await request(c, '/a', 'GET', { range: 'bytes=0-9' });
    const b = await request(c, '/b');
    expect(a).toMatchObject({ status: 200, bytes: 10, headers: { 'cf-cache-status': 'HIT' } });
    expect(b).toMatchObject({ status: 200, bytes: 10 });
    expect(sockets).toBe(1);
    expect(requests[0]).toBe(`GET /a HTTP/1.1\r\nhost: ${origin.slice(7)}\r\nrange: bytes=0-9\r\n\r\n`);
    c.close();
  });

  it('chunked bodies with extensions and trailers, split inside the size lines and the data', async () => {
    script = (sock) => dribble(sock, ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r', '\nabc', 'de\r\n1', '0\r\n0123456789abcdef\r\n0\r\nx-trailer: 1\r\n\r\n']);
    const c = conn();
    expect(await request(c)).toMatchObject({ status: 200, bytes: 21 });
    // The connection is still good for the next answer.
    expect(await request(c)).toMatchObject({ status: 200, bytes: 21 });
    c.close();
  });

  it('skips 1xx answers; HEAD, 204 and 304 have no body', async () => {
    script = (sock, req) => {
      if (req.startsWith('HEAD')) sock.write('HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n');
      else if (req.startsWith('GET /204')) sock.write('HTTP/1.1 204 No Content\r\n\r\n');
      else if (req.startsWith('GET /304')) sock.write('HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n');
      else sock.write('HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc');
    };
    const c = conn();
    expect(await request(c, '/x', 'HEAD')).toMatchObject({ status: 200, bytes: 0, headers: { 'content-length': '999' } });
    expect(await request(c, '/204')).toMatchObject({ status: 204, bytes: 0 });
    expect(await request(c, '/304')).toMatchObject({ status: 304, bytes: 0 });
    expect(await request(c, '/early')).toMatchObject({ status: 200, bytes: 3 });
    c.close();
  });

  it('a body until the connection ends, and Connection: close, open a new socket for the next request', async () => {
    script = (sock, req) => {
      if (req.includes('/close')) sock.end('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok');
      else sock.end('HTTP/1.0 200 OK\r\n\r\nuntil the end');
    };
    sockets = 0;
    const c = conn();
    expect(await request(c, '/eof')).toMatchObject({ status: 200, bytes: 13 });
    expect(await request(c, '/close')).toMatchObject({ status: 200, bytes: 2 });
    expect(await request(c, '/eof')).toMatchObject({ status: 200, bytes: 13 });
    expect(sockets).toBe(3);
    c.close();
  });

  it('a kept-alive socket the server closed is retried once on a fresh one', async () => {
    script = (sock, _req, n) => {
      if (n === 1) sock.write('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx');
      else sock.destroy();
    };
    sockets = 0;
    const c = conn();
    expect(await request(c)).toMatchObject({ status: 200, bytes: 1 });
    // Second request on the same socket: the server drops it; the retry's socket answers as its first.
    expect(await request(c)).toMatchObject({ status: 200, bytes: 1 });
    expect(sockets).toBe(2);
    c.close();
  });

  it('fails cleanly on a body cut short, a malformed status line, a refused connection', async () => {
    script = (sock) => sock.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b');
    let c = conn();
    const cut = await request(c);
    expect(cut).toMatchObject({ status: 200, bytes: 10 });
    expect(cut.error).toMatch(/^UND_ERR_SOCKET/);
    script = (sock) => sock.write('SPDY/3 200 OK\r\n\r\n');
    c = conn();
    expect((await request(c)).error).toMatch(/not an HTTP\/1\.x status line/);
    const refused = countingConnectionFor('http://127.0.0.1:1', undefined, { keepAliveMs: 100, connectTimeoutMs: 1000 });
    expect((await request(refused)).error).toMatch(/^ECONNREFUSED/);
  });

  it('closes a socket idle for keepAliveMs, never one kept busy longer than that (one lazy timer per connection)', async () => {
    let closed = 0;
    script = (sock, _req, n) => {
      if (n === 1) sock.once('close', () => closed++);
      // Each answer after 40 ms: six requests keep the socket busy for ~240 ms, past keepAliveMs.
      setTimeout(() => sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'), 40);
    };
    sockets = 0;
    const c = countingConnectionFor(origin, undefined, { keepAliveMs: 100, connectTimeoutMs: 2000 });
    for (let i = 0; i < 6; i++) expect(await request(c)).toMatchObject({ status: 200, bytes: 2 });
    expect(sockets).toBe(1);
    expect(closed).toBe(0);
    // Then idle: the client closes it (the test's own timeout is the limit).
    while (closed === 0) await new Promise((r) => setTimeout(r, 20));
    expect(await request(c)).toMatchObject({ status: 200, bytes: 2 });
    expect(sockets).toBe(2);
    c.close();
  });

  it('reads status lines without a reason, trims header values, and refuses a malformed status code', async () => {
    script = (sock, req) => {
      if (req.includes('/bare')) sock.write('HTTP/1.1 404\r\nX-Cache:  \tHIT from edge-1 \t\r\nContent-Length: 1\r\n\r\nx');
      else sock.write('HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n');
    };
    const c = conn();
    expect(await request(c, '/bare')).toMatchObject({ status: 404, bytes: 1, headers: { 'x-cache': 'HIT from edge-1', 'content-length': '1' } });
    expect((await request(c, '/short')).error).toMatch(/not an HTTP\/1\.x status line: "HTTP\/1\.1 20 OK"/);
    c.close();
  });
});
