// Reads and parses source files on demand, once each. Never executes anything. Hostile input
// (binary, UTF-16, syntax errors, pathological nesting) becomes an entry in `errors`.
import fs from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import type { ScanError } from '../model.js';
import { errorMessage } from '../util.js';
import { MAX_FILE_BYTES } from './discover.js';
import { mentionsRouting } from './prefilter.js';
import type { Tree } from './tree.js';

export function decodeSource(buf: Buffer): { text?: string; error?: string } {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return { text: buf.subarray(2).toString('utf16le') };
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
    const swapped = Buffer.from(buf.subarray(2));
    swapped.swap16();
    return { text: swapped.toString('utf16le') };
  }
  const probe = buf.subarray(0, 8192);
  if (probe.includes(0)) return { error: 'not a text file (contains NUL bytes)' };
  let text = buf.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text };
}

function scriptKind(file: string): ts.ScriptKind {
  const ext = path.extname(file).toLowerCase();
  switch (ext) {
    case '.tsx':
      return ts.ScriptKind.TSX;
    case '.jsx':
      return ts.ScriptKind.JSX;
    case '.js':
    case '.mjs':
    case '.cjs':
      return ts.ScriptKind.JS;
    default:
      return ts.ScriptKind.TS;
  }
}

/** Parses text into a syntax tree with parent pointers. Throws RangeError on pathological nesting. */
export function parseText(file: string, text: string): ts.SourceFile {
  // JSDoc is never read: skipping its parse saves a tenth of the parse time.
  const sf = ts.createSourceFile(
    file,
    text,
    { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone },
    true,
    scriptKind(file),
  );
  // TypeScript normalises `\` to `/` in file names; spans must name the file that was read.
  if (sf.fileName !== file) sf.fileName = file;
  return sf;
}

export function firstParseError(sf: ts.SourceFile): string | undefined {
  const diags = (sf as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics;
  if (!diags || diags.length === 0) return undefined;
  const d = diags[0];
  const { line, character } = sf.getLineAndCharacterOfPosition(d.start);
  return `${line + 1}:${character + 1} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
}

/**
 * How much text read for a look (not for parsing) stays in memory: beyond it, a second look reads
 * the file again. Planning, the pre-filter, registrar search and the import index each look at
 * every source: past this bound a large tree is read from disk up to three times (measured on the
 * synthetic 4× tree, 103 MB of sources: 13,000 of 40,000 files read two or three times at 64 Mi).
 */
const READ_CACHE_CHARS = 160 * 1024 * 1024;
/** How much of a file over the size limit is kept for the planning hooks to look at. */
const OVERSIZED_HEAD_CHARS = 8 * 1024;

export class SourceStore {
  private readonly cache = new Map<string, ts.SourceFile | null>();
  private readonly texts = new Map<string, string>();
  /** Texts read without being kept for parsing, up to READ_CACHE_CHARS in all. */
  private readonly read = new Map<string, string>();
  private readBytes = 0;
  /** Files whose text is not to be had (over the size limit, unreadable, undecodable): read once, not again. */
  private readonly unreadable = new Set<string>();
  readonly errors: ScanError[] = [];
  parsed = 0;
  parseMs = 0;
  /** Files discovery already vetted (regular files). */
  readonly known = new Set<string>();
  /** Files left out for their size (over 1 MiB), and whether their text registers routes. */
  readonly oversized = new Map<string, { bytes: number; routing: boolean; head?: string }>();
  /** Where the first syntax error of a file is (1-based), for reports that point at it. */
  readonly syntaxErrorAt = new Map<string, { line: number; column: number }>();
  /** The trees of the scanned roots: no file outside them is read (resolution already stops there: this is the last line). */
  readonly trees: Tree[] = [];

  /** Raw text of a file, decoded, or undefined when it is unreadable. Cached until parsed unless `keep` is false. */
  text(file: string, keep = true): string | undefined {
    const cached = this.texts.get(file) ?? this.cache.get(file)?.text ?? this.read.get(file);
    if (cached !== undefined) return cached;
    // over the size limit, unreadable or undecodable: known already, never read again
    if (this.unreadable.has(file)) return undefined;
    let buf: Buffer;
    try {
      // Discovered files are regular files (checked from their directory entry); files reached through imports are checked here.
      if (
        !this.known.has(file) &&
        ((this.trees.length > 0 && !this.trees.some((t) => t.contains(file))) || !fs.lstatSync(file).isFile())
      )
        return undefined;
      buf = fs.readFileSync(file);
      if (buf.length > MAX_FILE_BYTES) {
        // Not analysed; reported when the analysis needs it (a route file, an import it follows).
        const text = decodeSource(buf).text;
        // the head stays for planning hooks that read directives (`'use server'` opens a module)
        this.oversized.set(file, {
          bytes: buf.length,
          routing: text !== undefined && mentionsRouting(text),
          head: text?.slice(0, OVERSIZED_HEAD_CHARS),
        });
        this.cache.set(file, null);
        this.unreadable.add(file);
        return undefined;
      }
    } catch (err) {
      this.failure(file, `cannot read: ${errorMessage(err)}`);
      this.cache.set(file, null);
      this.unreadable.add(file);
      return undefined;
    }
    const decoded = decodeSource(buf);
    if (decoded.error !== undefined || decoded.text === undefined) {
      this.failure(file, decoded.error ?? 'cannot decode');
      this.cache.set(file, null);
      this.unreadable.add(file);
      return undefined;
    }
    if (keep) this.texts.set(file, decoded.text);
    else if (this.readBytes + decoded.text.length <= READ_CACHE_CHARS) {
      // several plan hooks and indexes read every file's text: read it from disk once
      this.read.set(file, decoded.text);
      this.readBytes += decoded.text.length;
    }
    return decoded.text;
  }

  /** Parsed syntax tree of a file, or undefined when it cannot be read or parsed. Cached. */
  get(file: string): ts.SourceFile | undefined {
    const hit = this.cache.get(file);
    if (hit !== undefined) {
      if (hit === null) this.reportOversized(file);
      return hit ?? undefined;
    }
    const text = this.text(file);
    if (text === undefined) {
      this.cache.set(file, null);
      this.reportOversized(file);
      return undefined;
    }
    const t0 = performance.now();
    let sf: ts.SourceFile;
    try {
      sf = parseText(file, text);
    } catch (err) {
      this.failure(file, err instanceof RangeError ? 'too deeply nested to parse' : errorMessage(err));
      this.cache.set(file, null);
      return undefined;
    } finally {
      this.parseMs += performance.now() - t0;
    }
    this.parsed++;
    this.texts.delete(file);
    const parseError = firstParseError(sf);
    if (parseError) {
      this.failure(file, `syntax error at ${parseError}`);
      const [line, column] = parseError.split(' ')[0].split(':').map(Number);
      this.syntaxErrorAt.set(file, { line, column });
    }
    this.cache.set(file, sf);
    return sf;
  }

  /** Files that could not be (fully) read or parsed, with the first reason. */
  readonly failed = new Map<string, string>();

  private failure(file: string, message: string): void {
    this.errors.push({ file, phase: 'parse', message });
    if (!this.failed.has(file)) this.failed.set(file, message);
  }

  private readonly reported = new Set<string>();

  /** A file the analysis wanted but left out for its size: an error, once. */
  private reportOversized(file: string): void {
    const big = this.oversized.get(file);
    if (!big || this.reported.has(file)) return;
    this.reported.add(file);
    this.failure(
      file,
      `not analysed: ${big.bytes.toLocaleString('en-US')} bytes, over the ${MAX_FILE_BYTES / (1024 * 1024)} MiB limit`,
    );
  }

  /** Keeps an already-read text so that parsing does not read the file again. */
  keep(file: string, text: string): void {
    if (!this.cache.has(file)) this.texts.set(file, text);
  }

  /** A parsed tree if this store already has it (never parses). */
  peek(file: string): ts.SourceFile | undefined {
    return this.cache.get(file) ?? undefined;
  }

  has(file: string): boolean {
    return this.cache.get(file) != null;
  }
}
