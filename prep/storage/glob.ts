// --exclude patterns. node:path matchesGlob is still experimental in Node 20
// (it prints a warning), so a small translation to a RegExp instead:
//   **  any characters, '/' included ("**/" also matches no folder at all)
//   *   any characters except '/'
//   ?   one character except '/'
//   [abc] [a-z] [!abc]  one character from (or not from) the set
// A pattern without '/' matches the last segment of the key (the file name)
// anywhere, like rclone and .gitignore; a pattern with '/' matches the whole key.

function escapeRegExp(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

export function globToRegExp(pattern: string): RegExp {
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
    } else re += escapeRegExp(c);
  }
  return new RegExp(`^${re}$`, 's');
}

/** A matcher for one --exclude pattern (see the rules above). */
export function globMatcher(pattern: string): (key: string) => boolean {
  const re = globToRegExp(pattern);
  if (pattern.includes('/')) return (key) => re.test(key);
  return (key) => re.test(key.slice(key.lastIndexOf('/') + 1));
}
