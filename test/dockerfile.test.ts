// No Docker engine here: check that the image pins what the project uses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

describe('Dockerfile', () => {
  it('builds the same k6 version the project pins', () => {
    const m = /^ARG K6_VERSION=(\S+)$/m.exec(dockerfile);
    expect(m?.[1]).toBe(pkg.config.k6Version);
  });

  it('the k6-operator example runs the same k6 version on every runner', () => {
    const example = readFileSync(join(ROOT, 'examples', 'k8s', 'k6-testrun.yaml'), 'utf8');
    const images = [...example.matchAll(/image:\s*grafana\/k6:(\S+)/g)].map((m) => m[1]);
    expect(images.length).toBeGreaterThan(0);
    for (const tag of images) expect(`v${tag.replace(/^v/, '')}`).toBe(pkg.config.k6Version);
  });

  it('uses the Node major the project requires', () => {
    const m = /^ARG NODE_VERSION=(\d+)$/m.exec(dockerfile);
    const engineMajor = /(\d+)/.exec(pkg.engines.node)?.[1];
    expect(m?.[1]).toBe(engineMajor);
  });

  it('builds k6 with xk6 on Go 1.26 in its first stage and ends with media-toolkit as entrypoint', () => {
    const stages = dockerfile.match(/^FROM .*/gm) ?? [];
    expect(stages[0]).toMatch(/golang:1\.26/);
    expect(dockerfile).toMatch(/xk6 build "\$\{K6_VERSION\}"/);
    expect(dockerfile).toMatch(/ENTRYPOINT \["node", "\/app\/bin\/media-toolkit\.js"\]/);
    expect(dockerfile).toMatch(/ffmpeg/);
  });
});
