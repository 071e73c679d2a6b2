// URI resolution for playlists: RFC 3986 section 5.4's examples, plus the query
// token a tokenised CDN needs on every request.
import { describe, expect, it } from 'vitest';
import { removeDotSegments, resolveReference, resolveUri } from '../common/playlist/uri.js';

const BASE = 'http://a/b/c/d;p?q';

// RFC 3986 section 5.4.1 (normal) and 5.4.2 (abnormal), strict parser.
const EXAMPLES: Record<string, string> = {
  'g:h': 'g:h', g: 'http://a/b/c/g', './g': 'http://a/b/c/g', 'g/': 'http://a/b/c/g/', '/g': 'http://a/g', '//g': 'http://g',
  '?y': 'http://a/b/c/d;p?y', 'g?y': 'http://a/b/c/g?y', '#s': 'http://a/b/c/d;p?q#s', 'g#s': 'http://a/b/c/g#s', 'g?y#s': 'http://a/b/c/g?y#s',
  ';x': 'http://a/b/c/;x', 'g;x': 'http://a/b/c/g;x', 'g;x?y#s': 'http://a/b/c/g;x?y#s', '': 'http://a/b/c/d;p?q', '.': 'http://a/b/c/',
  './': 'http://a/b/c/', '..': 'http://a/b/', '../': 'http://a/b/', '../g': 'http://a/b/g', '../..': 'http://a/', '../../': 'http://a/',
  '../../g': 'http://a/g',
  '../../../g': 'http://a/g', '../../../../g': 'http://a/g', '/./g': 'http://a/g', '/../g': 'http://a/g', 'g.': 'http://a/b/c/g.',
  '.g': 'http://a/b/c/.g', 'g..': 'http://a/b/c/g..', '..g': 'http://a/b/c/..g', './../g': 'http://a/b/g', './g/.': 'http://a/b/c/g/',
  'g/./h': 'http://a/b/c/g/h', 'g/../h': 'http://a/b/c/h', 'g;x=1/./y': 'http://a/b/c/g;x=1/y', 'g;x=1/../y': 'http://a/b/c/y',
  'g?y/./x': 'http://a/b/c/g?y/./x', 'g?y/../x': 'http://a/b/c/g?y/../x', 'g#s/./x': 'http://a/b/c/g#s/./x', 'g#s/../x': 'http://a/b/c/g#s/../x',
  'http:g': 'http:g',
};

describe('resolveReference (RFC 3986 section 5.2)', () => {
  it.each(Object.entries(EXAMPLES))('%s -> %s', (ref, want) => {
    expect(resolveReference(BASE, ref)).toBe(want);
  });

  it('removes dot segments as section 5.2.4 walks through', () => {
    expect(removeDotSegments('/a/b/c/./../../g')).toBe('/a/g');
    expect(removeDotSegments('mid/content=5/../6')).toBe('mid/6');
  });
});

describe('resolveUri: playlist URIs', () => {
  const playlist = 'https://cdn.example.com/media/videos/a.mp4/hls/media_0.m3u8?token=abc&exp=99';

  it('keeps the playlist URL query tokens on relative, root-relative and same-origin absolute URIs', () => {
    expect(resolveUri(playlist, '../cmaf/chunk-stream0-00001.m4s')).toBe('https://cdn.example.com/media/videos/a.mp4/cmaf/chunk-stream0-00001.m4s?token=abc&exp=99');
    expect(resolveUri(playlist, '/other/seg.ts')).toBe('https://cdn.example.com/other/seg.ts?token=abc&exp=99');
    expect(resolveUri(playlist, 'https://CDN.example.com/x.ts')).toBe('https://CDN.example.com/x.ts?token=abc&exp=99');
  });

  it("a URI's own parameters win over the playlist's of the same name; fragments are dropped", () => {
    expect(resolveUri(playlist, 'seg.ts?token=segment-own&n=1#t=5')).toBe('https://cdn.example.com/media/videos/a.mp4/hls/seg.ts?token=segment-own&n=1&exp=99');
  });

  it('sends no token to another host, and keepQuery:false resolves strictly', () => {
    expect(resolveUri(playlist, 'https://ads.example.net/ad.ts')).toBe('https://ads.example.net/ad.ts');
    expect(resolveUri(playlist, '//other.example.com/seg.ts')).toBe('https://other.example.com/seg.ts');
    expect(resolveUri(playlist, 'seg.ts', { keepQuery: false })).toBe('https://cdn.example.com/media/videos/a.mp4/hls/seg.ts');
  });

  it('keeps percent-encoding as written (keys with spaces and unicode)', () => {
    expect(resolveUri('http://127.0.0.1:8080/caf%C3%A9%20one.mp4/hls/master.m3u8', 'media_0.m3u8')).toBe('http://127.0.0.1:8080/caf%C3%A9%20one.mp4/hls/media_0.m3u8');
  });
});
