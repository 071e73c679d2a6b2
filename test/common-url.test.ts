import { describe, expect, it } from 'vitest';
import { derivativeUrl, encodeKey, fillTemplate, objectUrl } from '../common/url.js';
import { DEFAULT_DERIVATIVES } from '../common/derivatives.js';
import { IMAGE_VARIANTS, selectImageVariants, variantUrl, VARIANT_GROUPS } from '../common/image-variants.js';

const desktop = DEFAULT_DERIVATIVES[0];

describe('derivative URLs', () => {
  it('builds the three URL formats', () => {
    expect(derivativeUrl('https://cdn.example.com/', 'v/a.mp4', desktop, { format: 'imwidth' })).toBe('https://cdn.example.com/v/a.mp4?imwidth=1920');
    expect(derivativeUrl('https://cdn.example.com', 'v/a.mp4', desktop, { format: 'derivative' })).toBe('https://cdn.example.com/v/a.mp4/desktop/');
    expect(derivativeUrl('https://cdn.example.com//', '/v/a.mp4', desktop, { format: 'query' })).toBe(
      'https://cdn.example.com/v/a.mp4?derivative=desktop&width=1920&height=1080',
    );
  });

  it('has the default derivatives with their sizes', () => {
    expect(DEFAULT_DERIVATIVES.map((d) => `${d.name} ${d.width}x${d.height}`)).toEqual(['desktop 1920x1080', 'tablet 1280x720', 'mobile 854x640']);
  });

  it('fills a template with every placeholder, the key encoded', () => {
    expect(fillTemplate('{base}/t/{derivative}/{width}x{height}/{key}', 'http://h:1/x/', 'a b.mp4', desktop)).toBe('http://h:1/x/t/desktop/1920x1080/a%20b.mp4');
    expect(derivativeUrl('http://h', 'k.mp4', desktop, { template: '{base}/{key}?w={width}', format: 'query' })).toBe('http://h/k.mp4?w=1920');
  });

  it('percent-encodes keys segment by segment so odd names reach the right object', () => {
    const key = 'dir one/ünï cødé/a+b#c%d?e&f=g (1)\'*.mp4';
    const enc = encodeKey(key);
    expect(enc).toBe('dir%20one/%C3%BCn%C3%AF%20c%C3%B8d%C3%A9/a%2Bb%23c%25d%3Fe%26f%3Dg%20%281%29%27%2A.mp4');
    // Decoding each segment gives back the key exactly: no character is lost or merged.
    expect(enc.split('/').map(decodeURIComponent).join('/')).toBe(key);
    expect(objectUrl('http://h/base/', key)).toBe(`http://h/base/${enc}`);
    // Nothing that would end the path early survives encoding.
    expect(enc).not.toMatch(/[?# +]/);
  });
});

describe('image variants', () => {
  it('has a catalogue of at least 60 uniquely named variants across every group', () => {
    expect(IMAGE_VARIANTS.length).toBeGreaterThanOrEqual(60);
    expect(new Set(IMAGE_VARIANTS.map((v) => v.name)).size).toBe(IMAGE_VARIANTS.length);
    for (const g of VARIANT_GROUPS) expect(IMAGE_VARIANTS.some((v) => v.group === g)).toBe(true);
    for (const v of IMAGE_VARIANTS) expect(Boolean(v.query) || Boolean(v.path)).toBe(true);
  });

  it('keeps the well-known sizes', () => {
    const by = (n: string) => IMAGE_VARIANTS.find((v) => v.name === n)!;
    expect([by('thumbnail').width, by('thumbnail').height]).toEqual([150, 150]);
    expect(by('xxlarge').width).toBe(2560);
    expect([by('og_image').width, by('og_image').height]).toEqual([1200, 630]);
    for (const n of ['twitter_card', 'instagram_square', 'instagram_portrait', 'facebook_cover', 'linkedin_post', 'webp', 'avif', 'jpeg', 'png', 'blurred', 'grayscale', 'sharpen', 'smart_square'])
      expect(by(n)).toBeDefined();
  });

  it('builds query, Akamai, path-based and compact URLs', () => {
    const url = (n: string) => variantUrl('https://img.example.com/', 'p/a b.jpg', selectImageVariants([n])[0]);
    expect(url('thumbnail')).toBe('https://img.example.com/p/a%20b.jpg?width=150&height=150&fit=cover');
    expect(url('akamai_resize_small')).toBe('https://img.example.com/p/a%20b.jpg?im=resize=width:400,height:300,mode:fit');
    expect(url('path_responsive')).toBe('https://img.example.com/_width=800/_format=webp/p/a%20b.jpg');
    expect(url('compact_crop')).toBe('https://img.example.com/p/a%20b.jpg?r=16:9&p=0.5,0.3&f=l');
    expect(url('compact_medium')).toBe('https://img.example.com/p/a%20b.jpg?w=800&h=600&q=85');
  });

  it('selects defaults, groups and all, and names an unknown variant', () => {
    expect(selectImageVariants(undefined).map((v) => v.name)).toEqual(['thumbnail', 'small', 'medium', 'large', 'webp']);
    expect(selectImageVariants(['group:social']).every((v) => v.group === 'social')).toBe(true);
    expect(selectImageVariants(['all', 'small'])).toHaveLength(IMAGE_VARIANTS.length);
    expect(() => selectImageVariants(['nope'])).toThrow(/unknown image variant "nope"/);
    expect(() => selectImageVariants(['group:nope'])).toThrow(/unknown image variant group/);
  });
});
