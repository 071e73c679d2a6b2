import { describe, expect, it } from 'vitest';
import { isCacheHit, parseCacheStatus } from '../common/cache-status.js';
import { headerLookup } from './helpers/header-lookup.js';

const status = (h: Record<string, string | string[]>) => parseCacheStatus(headerLookup(h));

describe('cache status', () => {
  it('reads Cloudflare cf-cache-status', () => {
    expect(status({ 'CF-Cache-Status': 'HIT' })).toBe('hit');
    expect(status({ 'cf-cache-status': 'MISS' })).toBe('miss');
    expect(status({ 'cf-cache-status': 'EXPIRED' })).toBe('expired');
    expect(status({ 'cf-cache-status': 'STALE' })).toBe('stale');
    expect(status({ 'cf-cache-status': 'UPDATING' })).toBe('stale');
    expect(status({ 'cf-cache-status': 'REVALIDATED' })).toBe('revalidated');
    expect(status({ 'cf-cache-status': 'BYPASS' })).toBe('bypass');
    expect(status({ 'cf-cache-status': 'DYNAMIC' })).toBe('dynamic');
    expect(status({ 'cf-cache-status': 'NONE/UNKNOWN' })).toBe('dynamic');
  });

  it('reads CloudFront, Akamai, Fastly and nginx forms', () => {
    expect(status({ 'x-cache': 'Hit from cloudfront' })).toBe('hit');
    expect(status({ 'x-cache': 'RefreshHit from cloudfront' })).toBe('revalidated');
    expect(status({ 'x-cache': 'Miss from cloudfront' })).toBe('miss');
    expect(status({ 'x-cache': 'LambdaGeneratedResponse from cloudfront' })).toBe('dynamic');
    expect(status({ 'x-cache': 'TCP_MEM_HIT from a23-1-2-3.deploy.akamaitechnologies.com (AkamaiGHost/10)' })).toBe('hit');
    expect(status({ 'x-cache': 'TCP_REFRESH_MISS from a23' })).toBe('expired');
    expect(status({ 'x-cache': 'TCP_MISS from a23' })).toBe('miss');
    expect(status({ 'x-cache': 'TCP_IMS_HIT from a23' })).toBe('hit');
    expect(status({ 'x-cache': 'TCP_REFRESH_FAIL_HIT from a23' })).toBe('stale');
    // Fastly: shield first, edge last; the edge answered us.
    expect(status({ 'x-cache': 'MISS, HIT' })).toBe('hit');
    expect(status({ 'x-cache': 'HIT, MISS' })).toBe('miss');
    expect(status({ 'x-cache-status': 'EXPIRED' })).toBe('expired');
    expect(status({ 'x-cache-status': 'BYPASS' })).toBe('bypass');
  });

  it('prefers cf-cache-status and skips a token header it cannot read', () => {
    expect(status({ 'cf-cache-status': 'MISS', 'x-cache': 'HIT' })).toBe('miss');
    expect(status({ 'x-cache': 'Error from cloudfront', 'x-cache-status': 'HIT' })).toBe('hit');
  });

  it('reads the RFC 9211 Cache-Status header, closest cache last', () => {
    expect(status({ 'cache-status': 'ExampleCache; hit' })).toBe('hit');
    expect(status({ 'cache-status': 'Origin; hit, Edge; fwd=uri-miss; stored' })).toBe('miss');
    expect(status({ 'cache-status': 'Edge; fwd=vary-miss' })).toBe('miss');
    expect(status({ 'cache-status': 'Edge; fwd=stale; fwd-status=304' })).toBe('revalidated');
    expect(status({ 'cache-status': 'Edge; fwd=stale; fwd-status=200' })).toBe('expired');
    expect(status({ 'cache-status': 'Edge; fwd=bypass' })).toBe('bypass');
    expect(status({ 'cache-status': 'Edge; hit; ttl=-20' })).toBe('stale');
    expect(status({ 'cache-status': '"Edge Cache"; hit; ttl=300' })).toBe('hit');
    // A cache named "hit" with a miss is still a miss: the name is not a parameter.
    expect(status({ 'cache-status': 'hit; fwd=uri-miss' })).toBe('miss');
    expect(status({ 'cache-status': 'Edge; detail=whatever' })).toBe('unknown');
  });

  it('takes a positive Age as a hit only when nothing else says', () => {
    expect(status({ age: '42' })).toBe('hit');
    expect(status({ age: '0' })).toBe('unknown');
    expect(status({ age: '12, 5' })).toBe('hit');
    expect(status({ age: '42', 'cf-cache-status': 'MISS' })).toBe('miss');
    expect(status({})).toBe('unknown');
  });

  it('joins repeated headers and treats stale and revalidated as served from cache', () => {
    expect(status({ 'x-cache': ['MISS', 'HIT'] })).toBe('hit');
    expect(isCacheHit('hit')).toBe(true);
    expect(isCacheHit('stale')).toBe(true);
    expect(isCacheHit('revalidated')).toBe(true);
    expect(isCacheHit('miss')).toBe(false);
    expect(isCacheHit('expired')).toBe(false);
  });
});
