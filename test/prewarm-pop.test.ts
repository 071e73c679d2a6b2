// PoP identity and cache status from the headers the big CDNs send (common/pop.ts, common/cache-status.ts).
import { describe, expect, it } from 'vitest';
import { parsePop } from '../common/pop.js';
import { parseCacheStatus } from '../common/cache-status.js';

const headers = (h: Record<string, string>) => (name: string) => h[name];

describe('parsePop', () => {
  it('reads each CDN\'s own header', () => {
    const cases: [Record<string, string>, string | null][] = [
      [{ 'cf-ray': '8a1b2c3d4e5f6789-FRA' }, 'FRA'],
      [{ 'x-amz-cf-pop': 'FRA56-P1' }, 'FRA56-P1'],
      [{ 'x-served-by': 'cache-fra19129-FRA, cache-lhr7331-LHR' }, 'LHR'],
      [{ 'x-cache': 'TCP_HIT from a23-45-67-89.deploy.akamaitechnologies.com (AkamaiGHost/22.1.2-1) (-)' }, 'a23-45-67-89.deploy.akamaitechnologies.com'],
      [{ 'x-cache': 'TCP_MISS', 'x-cache-remote': 'TCP_HIT from a95-101-1-2.deploy.akamaitechnologies.com (AkamaiGHost) (-)' }, 'a95-101-1-2.deploy.akamaitechnologies.com'],
      [{ 'x-akamai-request-id': '1a2b3c4d.5e6f' }, 'akamai'],
      [{ server: 'BunnyCDN-DE1-1076', 'cdn-pullzone': '12345' }, 'DE1-1076'],
      [{ 'cdn-pullzone': '12345' }, 'bunny'],
      [{ via: '1.1 shield-ams (Varnish/7.1), 1.1 edge-fra-3 (Varnish/7.1)' }, 'edge-fra-3'],
      [{ 'x-varnish': '32770 3' }, 'varnish'],
      [{ 'x-cache': 'Hit from cloudfront' }, null],
      [{}, null],
    ];
    for (const [h, want] of cases) expect(parsePop(headers(h)), JSON.stringify(h)).toBe(want);
  });

  it('reads --pop-header before the known headers', () => {
    expect(parsePop(headers({ 'x-pop': ' edge-b ', 'cf-ray': 'abc-FRA' }), 'X-Pop')).toBe('edge-b');
    expect(parsePop(headers({ 'cf-ray': 'abc-FRA' }), 'x-pop')).toBe('FRA');
  });
});

describe('Varnish cache status', () => {
  it('X-Varnish with two ids is a hit, with one a miss', () => {
    expect(parseCacheStatus(headers({ 'x-varnish': '32770 3', age: '0' }))).toBe('hit');
    expect(parseCacheStatus(headers({ 'x-varnish': '32770', age: '0' }))).toBe('miss');
  });
});
