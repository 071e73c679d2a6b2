// Globs for --exclude and validate's --video-pattern: one translation to a
// RegExp (node:path matchesGlob is still experimental in Node 20 and warns):
//   **  any characters, '/' included ("**/" also matches no folder at all)
//   *   any characters except '/'
//   ?   one character except '/'
//   [abc] [a-z] [!abc]  one character from (or not from) the set
//   {mp4,mov}  one of the alternatives (each may hold * and ?)
// A pattern without '/' matches the last segment of the key (the file name)
// anywhere, like rclone and .gitignore; a pattern with '/' matches the whole key.

export interface GlobOptions {
  /** Match letters in any case (validate's file-name patterns). */
  ignoreCase?: boolean;
}

function escapeRegExp(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

function translate(pattern: string, inBraces: boolean): string {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let set = pattern.slice(i + 1, end);
      const negate = set.startsWith('!') || set.startsWith('^');
      if (negate) set = set.slice(1);
      re += `[${negate ? '^' : ''}${set.replace(/[\\\]^]/g, (x) => `\\${x}`)}]`;
      i = end;
    } else if (c === '{' && !inBraces) {
      const end = pattern.indexOf('}', i + 1);
      if (end < 0) {
        re += '\\{';
        continue;
      }
      re += `(?:${pattern.slice(i + 1, end).split(',').map((alt) => translate(alt, true)).join('|')})`;
      i = end;
    } else re += escapeRegExp(c);
  }
  return re;
}

export function globToRegExp(pattern: string, options: GlobOptions = {}): RegExp {
  return new RegExp(`^${translate(pattern, false)}$`, options.ignoreCase ? 'si' : 's');
}

/** A matcher for one pattern (see the rules above). */
export function globMatcher(pattern: string, options: GlobOptions = {}): (key: string) => boolean {
  const re = globToRegExp(pattern, options);
  if (pattern.includes('/')) return (key) => re.test(key);
  return (key) => re.test(key.slice(key.lastIndexOf('/') + 1));
}
