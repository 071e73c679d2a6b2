// URL form parsing: every form the pre-warmer and k6 build maps to (key, transform).
import { describe, expect, it } from 'vitest';
import { parseRequestTarget, transformId, contentTypeFor } from '../origin/routes.js';

function ok(target: string, base = '') {
  const p = parseRequestTarget(target, base);
  if (!p.ok) throw new Error(`${target}: ${p.reason}`);
  return p;
}

describe('parseRequestTarget', () => {
  it('reads a plain key as the source, decoded segment by segment', () => {
    const p = ok('/a%20b/c%2Bd%23e%25f%3F.mp4');
    expect(p.key).toBe('a b/c+d#e%f?.mp4');
    expect(p.transform).toBeNull();
    expect(p.cacheKey).toBe('a b/c+d#e%f?.mp4');
  });

  it('reads the derivative forms', () => {
    expect(transformId(ok('/v/x.mp4?imwidth=854').transform)).toBe('w=854');
    expect(transformId(ok('/v/x.mp4/desktop/').transform)).toBe('d=desktop&w=1920&h=1080');
    expect(transformId(ok('/v/x.mp4?derivative=tablet&width=1280&height=720').transform)).toBe('d=tablet&w=1280&h=720');
    expect(ok('/v/x.mp4/desktop/').key).toBe('v/x.mp4');
  });

  it('reads image variant query, Akamai and path forms', () => {
    expect(ok('/i.jpg?width=150&height=150&fit=cover').transform).toMatchObject({ width: 150, height: 150, fit: 'cover' });
    expect(ok('/i.jpg?w=800&h=600&q=85').transform).toMatchObject({ width: 800, height: 600, quality: 85 });
    expect(ok('/i.jpg?format=jpg').transform).toMatchObject({ format: 'jpeg' });
    expect(ok('/i.jpg?im=resize=width:400,height:300,mode:fit').transform).toMatchObject({ width: 400, height: 300, fit: 'fit' });
    expect(ok('/i.jpg?im=Resize=(640,360)').transform).toMatchObject({ width: 640, height: 360 });
    expect(ok('/i.jpg?im=resize=width:400&im=format=webp').transform).toMatchObject({ width: 400, format: 'webp' });
    expect(ok('/i.jpg?im=quality=80').transform).toMatchObject({ quality: 80 });
    expect(ok('/_width=800/_format=webp/dir/i.jpg').transform).toMatchObject({ width: 800, format: 'webp' });
    expect(ok('/_width=800/_format=webp/dir/i.jpg').key).toBe('dir/i.jpg');
    expect(ok('/i.jpg?w=600&r=1:1&f=l').transform).toMatchObject({ width: 600, height: 600 });
    expect(ok('/i.jpg?r=16:9&p=0.5,0.3&f=l').transform?.width).toBeUndefined();
  });

  it('gives different transforms different cache keys and ignores unrelated parameters', () => {
    expect(ok('/i.jpg?blur=10').cacheKey).not.toBe(ok('/i.jpg?blur=20').cacheKey);
    expect(ok('/i.jpg?blur=10').cacheKey).not.toBe(ok('/i.jpg').cacheKey);
    expect(ok('/i.jpg?cb=123').transform).toBeNull();
    expect(ok('/i.jpg?width=400&cb=1').cacheKey).toBe(ok('/i.jpg?cb=2&width=400').cacheKey);
  });

  it('refuses traversal, encoded slashes, bad encodings and unknown derivatives', () => {
    for (const t of ['/../x', '/a/%2e%2e/x', '/a%2Fb', '/%E0%A4%A', '/x.mp4/huge/', '/', '//', '/.', '/a/./b', '//../x']) {
      expect(parseRequestTarget(t).ok, t).toBe(false);
    }
  });

  it('keeps empty key segments: /leading.mp4 and dir//double.mp4 are keys of their own', () => {
    expect(ok('//leading.mp4').key).toBe('/leading.mp4');
    expect(ok('/dir//double.mp4?imwidth=854')).toMatchObject({ key: 'dir//double.mp4', transform: { width: 854 } });
    expect(ok('/dir//double.mp4/mobile/').key).toBe('dir//double.mp4');
    expect(ok('/media//a.mp4', '/media').key).toBe('/a.mp4');
  });

  it('reads the documented Akamai IMQuery forms, chained with ;', () => {
    expect(ok('/p.jpg?im=Resize=(400,300)').transform).toMatchObject({ width: 400, height: 300 });
    expect(ok('/p.jpg?im=Resize,width=400').transform).toMatchObject({ width: 400 });
    expect(ok('/p.jpg?im=AspectCrop=(4,3),xPosition=.5,yPosition=.5;Resize=(800,600)').transform).toMatchObject({ width: 800, height: 600 });
    expect(ok('/p.jpg?im=Resize,width=1200;Grayscale').cacheKey).not.toBe(ok('/p.jpg?im=Resize,width=1200').cacheKey);
  });

  it('names image variants as derivatives do (<key>/<variant>/ and ?derivative=<variant>)', () => {
    expect(ok('/p.jpg/og_image/').transform).toMatchObject({ derivative: 'og_image', width: 1200, height: 630 });
    expect(ok('/p.jpg?derivative=small&width=400').transform).toMatchObject({ derivative: 'small', width: 400 });
  });

  it('strips the base path and refuses what is outside it', () => {
    expect(ok('/media/v/x.mp4', '/media').key).toBe('v/x.mp4');
    expect(parseRequestTarget('/other/v/x.mp4', '/media').ok).toBe(false);
    expect(parseRequestTarget('/mediax/v.mp4', '/media').ok).toBe(false);
  });

  it('maps extensions and formats to content types', () => {
    expect(contentTypeFor('.mp4')).toBe('video/mp4');
    expect(contentTypeFor('.MOV')).toBe('video/quicktime');
    expect(contentTypeFor('webp')).toBe('image/webp');
    expect(contentTypeFor('.xyz')).toBe('application/octet-stream');
  });
});
