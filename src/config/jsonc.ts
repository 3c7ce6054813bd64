// JSON with comments (JSONC, as editors write tsconfig and settings files): `//` and `/* */`
// comments and trailing commas are accepted; a leading byte-order mark is dropped. Positions in
// error messages stay those of the original text (comments become spaces, not deletions).

/** Drops a UTF-8 byte-order mark. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Blanks out comments and trailing commas, keeping every other character (and line breaks) in place. */
export function stripJsonc(text: string): string {
  const out: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i];
    if (ch === '"') {
      const start = i++;
      while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      out.push(text.slice(start, i));
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n' && text[i] !== '\r') {
        out.push(' ');
        i++;
      }
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      for (; i < stop; i++) out.push(text[i] === '\n' || text[i] === '\r' ? text[i] : ' ');
    } else if (ch === ',') {
      // a comma followed (after blanks and comments) by a closing bracket is a trailing comma
      let j = i + 1;
      for (;;) {
        while (j < n && /\s/.test(text[j])) j++;
        if (text[j] === '/' && text[j + 1] === '/') {
          while (j < n && text[j] !== '\n') j++;
        } else if (text[j] === '/' && text[j + 1] === '*') {
          const end = text.indexOf('*/', j + 2);
          j = end === -1 ? n : end + 2;
        } else break;
      }
      out.push(text[j] === '}' || text[j] === ']' ? ' ' : ',');
      i++;
    } else {
      out.push(ch);
      i++;
    }
  }
  return out.join('');
}

/** Parses JSON or JSONC text (BOM, comments and trailing commas accepted). Throws SyntaxError. */
export function parseJsonc(text: string): unknown {
  return JSON.parse(stripJsonc(stripBom(text)));
}

/** Parses strict JSON after dropping a byte-order mark. Throws SyntaxError. */
export function parseJson(text: string): unknown {
  return JSON.parse(stripBom(text));
}
