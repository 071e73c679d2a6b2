// Extension sets behind --media-type.

export type MediaType = 'video' | 'image';
export type MediaTypeOption = 'auto' | MediaType;

export const VIDEO_EXTENSIONS: readonly string[] = [
  '.mp4', '.m4v', '.mov', '.webm', '.mkv', '.avi', '.wmv', '.flv', '.mpg', '.mpeg', '.ts', '.m2ts', '.3gp', '.ogv',
];

export const IMAGE_EXTENSIONS: readonly string[] = [
  '.jpg', '.jpeg', '.png', '.gif', '.webp', '.avif', '.heic', '.heif', '.tif', '.tiff', '.bmp', '.svg',
];

/** Lower-cased extension with its dot, '' when the key has none. */
export function extensionOf(key: string): string {
  const slash = key.lastIndexOf('/');
  const dot = key.lastIndexOf('.');
  if (dot <= slash + 1) return '';
  return key.slice(dot).toLowerCase();
}

/** 'video', 'image' or null for a key whose extension is neither. */
export function mediaTypeOf(key: string): MediaType | null {
  const ext = extensionOf(key);
  if (VIDEO_EXTENSIONS.includes(ext)) return 'video';
  if (IMAGE_EXTENSIONS.includes(ext)) return 'image';
  return null;
}
