import { describe, expect, it } from 'vitest';
import { derivativeUrl, encodeKey, fillTemplate, objectUrl } from '../common/url.js';
import { DEFAULT_DERIVATIVES } from '../common/derivatives.js';
import { IMAGE_VARIANTS, selectImageVariants, variantUrl, VARIANT_GROUPS } from '../common/image-variants.js';

const desktop = DEFAULT_DERIVATIVES[0];

describe('derivative URLs', () => {
  it('builds the three URL formats', () => {
    expect(derivativeUrl('https://cdn.example.com/', 'v/a.mp4', desktop, { format: 'imwidth' })).toBe('https://cdn.example.com/v/a.mp4?imwidth=1920');
    expect(derivativeUrl('https://cdn.example.com', 'v/a.mp4', desktop, { format: 'derivative' })).toBe('https://cdn.example.com/v/a.mp4/desktop/');
    expect(derivativeUrl('https://cdn.example.com//', 'v/a.mp4', desktop, { format: 'query' })).toBe(
      'https://cdn.example.com/v/a.mp4?derivative=desktop&width=1920&height=1080',
    );
  });

  it('keeps the base URL\'s path and merges its query (a token) into every form; drops its fragment', () => {
    const base = 'https://cdn.example.com/media/?token=abc#frag';
    expect(derivativeUrl(base, 'videos/a.mp4', desktop)).toBe('https://cdn.example.com/media/videos/a.mp4?token=abc&imwidth=1920');
    expect(derivativeUrl(base, 'videos/a.mp4', desktop, { format: 'derivative' })).toBe('https://cdn.example.com/media/videos/a.mp4/desktop/?token=abc');
    expect(derivativeUrl(base, 'videos/a.mp4', desktop, { format: 'query' })).toBe('https://cdn.example.com/media/videos/a.mp4?token=abc&derivative=desktop&width=1920&height=1080');
    expect(derivativeUrl(base, 'a.mp4', desktop, { template: '{base}/w={width}/{key}?v=2' })).toBe('https://cdn.example.com/media/w=1920/a.mp4?token=abc&v=2');
    expect(objectUrl('https://h/x?a=1&b=2', 'k.mp4')).toBe('https://h/x/k.mp4?a=1&b=2');
    // A derivative parameter of the same name replaces the base's.
    expect(derivativeUrl('https://h/?imwidth=1&t=9', 'k.mp4', desktop)).toBe('https://h/k.mp4?t=9&imwidth=1920');
    for (const v of selectImageVariants(['thumbnail', 'path_small', 'akamai_crop'])) expect(variantUrl(base, 'p.jpg', v)).toMatch(/^https:\/\/cdn\.example\.com\/media\/.*p\.jpg\?token=abc(&|$)/);
  });

  it('keeps empty key segments: a leading slash and a double slash are part of the key', () => {
    expect(encodeKey('/leading.mp4')).toBe('/leading.mp4');
    expect(objectUrl('http://h/base/', '/leading.mp4')).toBe('http://h/base//leading.mp4');
    expect(derivativeUrl('http://h', 'dir//double.mp4', desktop)).toBe('http://h/dir//double.mp4?imwidth=1920');
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
    expect(url('akamai_resize_small')).toBe('https://img.example.com/p/a%20b.jpg?im=Resize=(400,300)');
    expect(url('akamai_width')).toBe('https://img.example.com/p/a%20b.jpg?im=Resize,width=400');
    expect(url('akamai_crop')).toBe('https://img.example.com/p/a%20b.jpg?im=AspectCrop=(4,3),xPosition=.5,yPosition=.5;Resize=(800,600)');
    expect(url('path_responsive')).toBe('https://img.example.com/_width=800/_format=webp/p/a%20b.jpg');
    expect(url('compact_crop')).toBe('https://img.example.com/p/a%20b.jpg?r=16:9&p=0.5,0.3&f=l');
    expect(url('compact_medium')).toBe('https://img.example.com/p/a%20b.jpg?w=800&h=600&q=85');
  });

  it('honours --url-format and --url-template as derivatives do', () => {
    const og = selectImageVariants(['og_image'])[0];
    const webp = selectImageVariants(['webp'])[0];
    expect(variantUrl('https://i/?t=1', 'p.jpg', og, { format: 'derivative' })).toBe('https://i/p.jpg/og_image/?t=1');
    expect(variantUrl('https://i', 'p.jpg', og, { format: 'query' })).toBe('https://i/p.jpg?derivative=og_image&width=1200&height=630');
    expect(variantUrl('https://i', 'p.jpg', og, { format: 'imwidth' })).toBe('https://i/p.jpg?imwidth=1200');
    // No width to say with imwidth: the catalogue form.
    expect(variantUrl('https://i', 'p.jpg', webp, { format: 'imwidth' })).toBe('https://i/p.jpg?format=webp');
    expect(variantUrl('https://i/?t=1', 'a b.jpg', og, { template: '{base}/cdn-cgi/image/{params}/{key}' })).toBe('https://i/cdn-cgi/image/width=1200&height=630&fit=cover/a%20b.jpg?t=1');
    expect(variantUrl('https://i', 'p.jpg', selectImageVariants(['path_cover'])[0], { template: '{base}/{derivative}/{key}?{params}' })).toBe('https://i/path_cover/p.jpg?width=800&height=600&fit=cover');
  });

  it('selects defaults, groups and all, and names an unknown variant', () => {
    expect(() => selectImageVariants(['akamai_quality'])).toThrow(/was removed: Akamai sets quality in the policy/);
    expect(selectImageVariants(undefined).map((v) => v.name)).toEqual(['thumbnail', 'small', 'medium', 'large', 'webp']);
    expect(selectImageVariants(['group:social']).every((v) => v.group === 'social')).toBe(true);
    expect(selectImageVariants(['all', 'small'])).toHaveLength(IMAGE_VARIANTS.length);
    expect(() => selectImageVariants(['nope'])).toThrow(/unknown image variant "nope"/);
    expect(() => selectImageVariants(['group:nope'])).toThrow(/unknown image variant group/);
  });
});
