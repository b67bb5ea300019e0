/**
 * A secret reference as hosts store it in a field: `{{sm:<connectionId>:<path>}}`
 * (DESIGN.md). Connection ids never contain `:`; the path runs to the closing `}}`.
 * References may stand alone or inside a longer string (`Bearer {{sm:…}}`).
 */
export interface SecretReference {
  connectionId: string;
  path: string;
}

/** A reference found inside a string: what it names, as written, and where it stands. */
export interface FoundReference extends SecretReference {
  /** The reference as written, `{{sm:…}}`. */
  text: string;
  start: number;
  /** Just past the closing `}}`. */
  end: number;
}

export interface ReferenceScan {
  /** Every reference of the string, left to right, none overlapping. */
  references: FoundReference[];
  /**
   * A `{{sm:` that is part of no reference (unclosed, empty or overlong path, bad id, a
   * line break inside): from it to its first `}}`, at most one reference long. A string
   * holding one must fail loudly, never travel on as a literal password.
   */
  broken: string | undefined;
}

const OPEN = '{{sm:';
const CLOSE = '}}';
const COLON = 0x3a;
export const MAX_CONNECTION_ID_LENGTH = 64;
export const MAX_PATH_LENGTH = 2048;
/** The longest a reference can be written. */
export const MAX_REFERENCE_LENGTH = OPEN.length + MAX_CONNECTION_ID_LENGTH + 1 + MAX_PATH_LENGTH + CLOSE.length;

/** `[A-Za-z0-9_-]` */
function isIdChar(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39) || code === 0x5f || code === 0x2d;
}

/** What a path may not hold: the line terminators, which `.` of a JavaScript pattern does not match either. */
function isLineBreak(code: number): boolean {
  return code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029;
}

/**
 * The next `{{sm:` at or after `from`, or -1. Horspool's search: the character under the
 * end of the window says how far the window may move (how far that character's last place
 * in `{{sm` is from the end), so `{{{{…` is passed three at a time where a search for the
 * first character would stop at every brace.
 */
function indexOfOpen(text: string, from: number): number {
  const last = OPEN.length - 1;
  for (let end = from + last; end < text.length; ) {
    switch (text.charCodeAt(end)) {
      case COLON:
        if (text.startsWith(OPEN, end - last)) return end - last;
        end += OPEN.length;
        break;
      case 0x6d: // m
        end += 1;
        break;
      case 0x73: // s
        end += 2;
        break;
      case 0x7b: // {
        end += 3;
        break;
      default:
        end += OPEN.length;
    }
  }
  return -1;
}

/**
 * Every reference in `text`, in time linear in its length whatever it holds; undefined
 * when it holds more than `maxReferences` (known as soon as the one too many is found).
 *
 * The syntax is exactly that of /\{\{sm:([A-Za-z0-9_-]{1,64}):((?:(?!\}\}).){1,2048})\}\}/g,
 * kept by the tests as the reference implementation: after `{{sm:`, an id and a colon,
 * then a path of 1 to 2,048 characters without a line break that ends at the first `}}`.
 * A backtracking engine walks up to 2,048 characters from every `{{sm:` before it gives
 * up, so `{{sm:a:` repeated costs length × 2,048. Here the next `}}` and the next line
 * break are each found once and shared by every opener before them, each opener reads at
 * most 65 characters of id, and a failure skips the openers that would fail the same way.
 */
export function scanReferences(text: string): ReferenceScan;
export function scanReferences(text: string, maxReferences: number): ReferenceScan | undefined;
export function scanReferences(text: string, maxReferences = Infinity): ReferenceScan | undefined {
  const first = indexOfOpen(text, 0);
  if (first === -1) return { references: [], broken: undefined };
  // The first `}}` at or after the position last asked about (asked positions only grow,
  // openers being taken left to right); Infinity when there is none.
  let close = -1;
  const closeFrom = (from: number) => {
    if (close < from) {
      const at = text.indexOf(CLOSE, from);
      close = at === -1 ? Infinity : at;
    }
    return close;
  };
  // Line breaks are looked for inside paths only, each character once: `lineBreak` is the
  // first at or after the position last asked about, -1 when none is known; there is
  // none in [that position, `clearTo`).
  let lineBreak = -1;
  let clearTo = 0;
  const lineBreakWithin = (from: number, to: number) => {
    if (lineBreak < from) {
      let at = Math.max(from, clearTo);
      while (at < to && !isLineBreak(text.charCodeAt(at))) at++;
      clearTo = at;
      lineBreak = at < to ? at : -1;
    }
    return lineBreak !== -1 && lineBreak < to ? lineBreak : -1;
  };
  /** The reference starting at `start`, or the first position where one could still start. */
  const referenceAt = (start: number): FoundReference | number => {
    const idStart = start + OPEN.length;
    let idEnd = idStart;
    while (idEnd - idStart <= MAX_CONNECTION_ID_LENGTH && isIdChar(text.charCodeAt(idEnd))) idEnd++;
    if (idEnd === idStart || idEnd - idStart > MAX_CONNECTION_ID_LENGTH || text.charCodeAt(idEnd) !== COLON) return start + 1;
    const pathStart = idEnd + 1;
    const pathEnd = closeFrom(pathStart);
    // Every later opener before this `}}` ends its path there too: none ends without one,
    // those whose path would still be too long fail too, and so do those before a line break.
    if (pathEnd === Infinity) return Infinity;
    if (pathEnd - pathStart > MAX_PATH_LENGTH) return Math.max(start + 1, pathEnd - MAX_PATH_LENGTH - MAX_CONNECTION_ID_LENGTH - OPEN.length - 1);
    const lineBreakAt = lineBreakWithin(pathStart, pathEnd);
    if (lineBreakAt !== -1) return lineBreakAt + 1;
    if (pathEnd === pathStart) return start + 1;
    const end = pathEnd + CLOSE.length;
    return { text: text.slice(start, end), start, end, connectionId: text.slice(idStart, idEnd), path: text.slice(pathStart, pathEnd) };
  };

  const references: FoundReference[] = [];
  for (let start = first; start !== -1; ) {
    const found = referenceAt(start);
    if (typeof found === 'number') {
      start = found === Infinity ? -1 : indexOfOpen(text, found);
    } else {
      if (references.push(found) > maxReferences) return undefined;
      start = indexOfOpen(text, found.end);
    }
  }
  return { references, broken: brokenPart(references.length === 0 ? text : replaceFound(text, references, () => '')) };
}

/**
 * The first `{{sm:` left once the references are taken out (one may form only then, as
 * in `{{s{{sm:c:p}}m:`, which the resolver would otherwise see as `{{sm:` after all).
 */
function brokenPart(rest: string): string | undefined {
  const at = indexOfOpen(rest, 0);
  if (at === -1) return undefined;
  const part = rest.slice(at, at + MAX_REFERENCE_LENGTH);
  const close = part.indexOf(CLOSE);
  return close === -1 ? part : part.slice(0, close + CLOSE.length);
}

/** `text` with each of its `references` (from scanReferences) replaced by `replacement(reference)`. */
export function replaceFound(text: string, references: readonly FoundReference[], replacement: (reference: FoundReference, index: number) => string): string {
  let out = '';
  let last = 0;
  references.forEach((reference, i) => {
    out += text.slice(last, reference.start) + replacement(reference, i);
    last = reference.end;
  });
  return out + text.slice(last);
}

export function formatReference(ref: SecretReference): string {
  return `{{sm:${ref.connectionId}:${ref.path}}}`;
}

/** The reference a whole string is (surrounding whitespace aside), if it is exactly one. */
export function parseReference(value: string): SecretReference | undefined {
  const trimmed = value.trim();
  const only = scanReferences(trimmed, 1)?.references[0];
  return only?.start === 0 && only.end === trimmed.length ? { connectionId: only.connectionId, path: only.path } : undefined;
}

/** Whether a string holds something meant as a reference, well-formed or not (a cheap first test). */
export function isReferenceLike(value: string): boolean {
  return value.includes(OPEN);
}

/** Text with a `{{sm:` that does not form a whole reference: resolution refuses it. */
export function hasBrokenReference(value: string): boolean {
  return scanReferences(value).broken !== undefined;
}
