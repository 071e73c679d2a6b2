// Pieces every test that runs a real server of its own needs: a free loopback port, nginx's
// configuration preamble (one process in the foreground with its own prefix, pid file, logs
// and temp paths, so the same tests can run at once in another worktree), and a stop that
// ends the process and removes its folder.
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { rm } from 'node:fs/promises';

/** A port free on 127.0.0.1 (or `host`) now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** A port free on every one of these addresses at once. */
export async function freePortOn(hosts: readonly string[]): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const port = await freePort(hosts[0]);
    const ok = await Promise.all(
      hosts.slice(1).map(
        (h) =>
          new Promise<boolean>((resolve) => {
            const s = createServer();
            s.once('error', () => resolve(false));
            s.listen(port, h, () => s.close(() => resolve(true)));
          }),
      ),
    );
    if (ok.every(Boolean)) return port;
  }
  throw new Error(`no port free on all of ${hosts.join(', ')}`);
}

/** Ends the process (SIGTERM, SIGKILL after 5 s) and removes its folder. */
export function stopper(child: ChildProcess, dir: string): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
}

/**
 * An nginx.conf for `nginx -c DIR/nginx.conf -p DIR`: one process (no master, no daemon), its pid
 * file and error log in `dir`, every temp path in `tempDir` (which the caller makes), and `http`
 * inside the http block.
 */
export function nginxConf(dir: string, http: string, o: { workerConnections?: number; errorLog?: string; tempDir?: string } = {}): string {
  const tmp = o.tempDir ?? `${dir}/tmp`;
  return `worker_processes 1;
master_process off;
daemon off;
pid ${dir}/nginx.pid;
error_log ${o.errorLog ?? `${dir}/error.log`} warn;
events { worker_connections ${o.workerConnections ?? 256}; }
http {
  client_body_temp_path ${tmp};
  proxy_temp_path ${tmp};
  fastcgi_temp_path ${tmp};
  uwsgi_temp_path ${tmp};
  scgi_temp_path ${tmp};
${http}
}
`;
}
