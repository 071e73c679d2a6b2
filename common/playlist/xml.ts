// The small part of XML an MPD uses: elements, attributes, text, entities,
// comments, CDATA, the prolog and a DOCTYPE (skipped). No DOM (k6 has none),
// no namespaces beyond dropping prefixes from element names.

export interface XmlElement {
  /** Local name: `cenc:pssh` is `pssh`. */
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Text directly inside the element, entities decoded, trimmed. */
  text: string;
}

export class XmlError extends Error {}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[e] ?? whole;
  });
}

function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon < 0 ? qname : qname.slice(colon + 1);
}

const ATTR_RE = /([^\s=/>]+)\s*=\s*("([^"]*)"|'([^']*)')/g;

/** Parses a document and returns its root element. */
export function parseXml(text: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const texts: string[][] = [];
  const lineAt = (pos: number) => text.slice(0, pos).split('\n').length;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    if (chunk.trim() !== '') {
      if (stack.length === 0) throw new XmlError(`line ${lineAt(i)}: text outside the root element`);
      texts[texts.length - 1].push(decodeEntities(chunk));
    }
    if (lt < 0) break;
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      if (end < 0) throw new XmlError(`line ${lineAt(lt)}: unclosed comment`);
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', lt)) {
      const end = text.indexOf(']]>', lt + 9);
      if (end < 0) throw new XmlError(`line ${lineAt(lt)}: unclosed CDATA section`);
      if (stack.length > 0) texts[texts.length - 1].push(text.slice(lt + 9, end));
      i = end + 3;
    } else if (text.startsWith('<?', lt)) {
      const end = text.indexOf('?>', lt + 2);
      if (end < 0) throw new XmlError(`line ${lineAt(lt)}: unclosed processing instruction`);
      i = end + 2;
    } else if (text.startsWith('<!', lt)) {
      // DOCTYPE, possibly with an internal subset in brackets.
      const bracket = text.indexOf('[', lt);
      const close = text.indexOf('>', lt);
      const end = bracket >= 0 && bracket < close ? text.indexOf(']>', bracket) + 1 : close;
      if (end <= 0) throw new XmlError(`line ${lineAt(lt)}: unclosed declaration`);
      i = end + 1;
    } else if (text[lt + 1] === '/') {
      const end = text.indexOf('>', lt);
      if (end < 0) throw new XmlError(`line ${lineAt(lt)}: unclosed end tag`);
      const name = localName(text.slice(lt + 2, end).trim());
      const open = stack.pop();
      if (!open || open.name !== name) throw new XmlError(`line ${lineAt(lt)}: </${name}> does not close <${open?.name ?? 'nothing'}>`);
      open.text = (texts.pop() as string[]).join('').trim();
      i = end + 1;
    } else {
      // A start tag; '>' may appear inside quoted attribute values.
      let j = lt + 1;
      let quote = '';
      for (; j < text.length; j++) {
        const c = text[j];
        if (quote) {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '>') break;
      }
      if (j >= text.length) throw new XmlError(`line ${lineAt(lt)}: unclosed start tag`);
      const selfClosing = text[j - 1] === '/';
      const body = text.slice(lt + 1, selfClosing ? j - 1 : j);
      const nameEnd = body.search(/[\s/]|$/);
      const el: XmlElement = { name: localName(body.slice(0, nameEnd)), attrs: {}, children: [], text: '' };
      for (const m of body.slice(nameEnd).matchAll(ATTR_RE)) el.attrs[m[1]] = decodeEntities(m[3] ?? m[4] ?? '');
      if (stack.length > 0) stack[stack.length - 1].children.push(el);
      else if (root) throw new XmlError(`line ${lineAt(lt)}: a second root element <${el.name}>`);
      else root = el;
      if (!selfClosing) {
        stack.push(el);
        texts.push([]);
      }
      i = j + 1;
    }
  }
  if (stack.length > 0) throw new XmlError(`<${stack[stack.length - 1].name}> is never closed`);
  if (!root) throw new XmlError('no root element');
  return root;
}

/** The element's children with this local name. */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

export function childNamed(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}
