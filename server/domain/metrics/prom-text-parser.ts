/**
 * Prometheus text exposition format (version 0.0.4) parser, written for the agent's scrape path:
 * every running VM's DCGM exporter is read every few seconds, so the parser works on the string
 * with charCodeAt/indexOf, allocates one object per sample and shares label objects between
 * samples whose label block is byte-identical (a DCGM exposition repeats the same block for every
 * metric family of a GPU).
 *
 * Contract:
 * - It never throws on input. A line it cannot read is reported as `{ line, message, text }`
 *   (1-based line number) and skipped; every other line still counts.
 * - Accepted: `# HELP` / `# TYPE` (counter, gauge, histogram, summary, untyped), other comments,
 *   blank lines, CRLF line ends, a leading byte-order mark, label-less samples, empty braces,
 *   a trailing comma in the label block, spaces/tabs between tokens, label-value escapes
 *   `\\`, `\"`, `\n` (other backslash pairs are kept verbatim, as the Prometheus server does),
 *   values in Go `ParseFloat` syntax plus `NaN`, `+Inf`, `-Inf` (case-insensitive, also `Inf`,
 *   `Infinity`), optional integer millisecond timestamps. Histogram and summary series
 *   (`_bucket`, `_sum`, `_count`, `quantile=`) are plain samples; `resolveFamily` maps them back.
 * - Refused (reported): invalid metric or label names, duplicate label names in one sample,
 *   unterminated quotes, missing or unparsable values, non-integer timestamps, trailing text,
 *   unknown TYPE words, a TYPE that contradicts an earlier TYPE for the same family.
 * - Label objects are frozen and may be shared between samples of one parse: copy before
 *   changing them. Label values keep an empty string when the exposition has one (Prometheus
 *   would drop such a label on ingestion; we report what was written).
 */

export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface Sample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
  /** Milliseconds since the epoch when the line carries a timestamp, else null. */
  timestampMs: number | null;
}

export interface MetricFamily {
  name: string;
  /** From `# TYPE`; "untyped" when the exposition declares none. */
  type: MetricType;
  /** From `# HELP` (unescaped); null when the exposition has no HELP line for the family. */
  help: string | null;
}

export interface MalformedLine {
  /** 1-based line number in the whole input (across stream chunks). */
  line: number;
  message: string;
  /** The offending line, cut at MAX_REPORTED_LINE_CHARS characters. */
  text: string;
}

export interface ParseOptions {
  /** Keep at most this many malformed-line reports (all are still counted). Default 1000. */
  maxErrors?: number;
}

export interface ParseSummary {
  families: Map<string, MetricFamily>;
  errors: MalformedLine[];
  /** Every malformed line, including those beyond `maxErrors`. */
  errorCount: number;
  lines: number;
  sampleCount: number;
}

export interface ParseResult extends ParseSummary {
  samples: Sample[];
}

export type SampleCallback = (sample: Sample) => void;

export const MAX_REPORTED_LINE_CHARS = 512;
const DEFAULT_MAX_ERRORS = 1000;
// Bounded so that a hostile exposition with a new label block on every line cannot grow memory
// without limit; clearing only costs re-parsing.
const LABEL_CACHE_LIMIT = 8192;
// Enough for the 8–16 GPUs of one host; a miss falls back to the hash map below.
const RING_SIZE = 16;
const EMPTY_LABELS: Readonly<Record<string, string>> = Object.freeze({});

const METRIC_TYPES: ReadonlySet<string> = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

// Character classes for ASCII; anything >= 128 is outside every class.
const NAME_START = 1; // [a-zA-Z_:]
const NAME_CHAR = 2; // [a-zA-Z0-9_:]
const LABEL_START = 4; // [a-zA-Z_]
const LABEL_CHAR = 8; // [a-zA-Z0-9_]
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const alpha = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  const digit = c >= 48 && c <= 57;
  if (alpha || c === 58) CLASS[c]! |= NAME_START | NAME_CHAR;
  if (digit) CLASS[c]! |= NAME_CHAR | LABEL_CHAR;
  if (alpha) CLASS[c]! |= LABEL_START | LABEL_CHAR;
}

const POW10: number[] = [];
for (let i = 0; i <= 22; i++) POW10.push(10 ** i);

// Only used on the slow path (exponents, more than 15 digits, specials): Go ParseFloat decimal syntax.
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const CH_TAB = 9;
const CH_CR = 13;
const CH_SPACE = 32;
const CH_QUOTE = 34;
const CH_HASH = 35;
const CH_PLUS = 43;
const CH_COMMA = 44;
const CH_MINUS = 45;
const CH_DOT = 46;
const CH_EQ = 61;
const CH_BACKSLASH = 92;
const CH_LBRACE = 123;
const CH_RBRACE = 125;

function parseSpecialValue(token: string): number | undefined {
  switch (token.toLowerCase()) {
    case "nan":
    case "+nan":
    case "-nan":
      return NaN;
    case "inf":
    case "+inf":
    case "infinity":
    case "+infinity":
      return Infinity;
    case "-inf":
    case "-infinity":
      return -Infinity;
  }
  return FLOAT_RE.test(token) ? Number(token) : undefined;
}

/**
 * Reads a value token text[s, e). Fast path: at most 15 significant digits and no exponent,
 * where m / 10^k is exactly the correctly rounded double (both operands are exact), so the result
 * equals Number(token). Everything else goes through the slow path.
 */
function parseValue(text: string, s: number, e: number): number | undefined {
  let i = s;
  let c = text.charCodeAt(i);
  let neg = false;
  if (c === CH_MINUS) {
    neg = true;
    i++;
  } else if (c === CH_PLUS) i++;
  let m = 0;
  let digits = 0;
  let frac = 0;
  let dot = false;
  for (; i < e; i++) {
    c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      if (dot) frac++;
    } else if (c === CH_DOT && !dot) dot = true;
    else break;
  }
  if (i === e && digits > 0 && digits <= 15) {
    const v = frac === 0 ? m : m / POW10[frac]!;
    return neg ? -v : v;
  }
  return parseSpecialValue(text.slice(s, e));
}

/** Reads an integer millisecond timestamp text[s, e); undefined when it is not an integer. */
function parseTimestamp(text: string, s: number, e: number): number | undefined {
  let i = s;
  let neg = false;
  const first = text.charCodeAt(i);
  if (first === CH_MINUS) {
    neg = true;
    i++;
  } else if (first === CH_PLUS) i++;
  if (i === e) return undefined;
  let v = 0;
  for (; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    v = v * 10 + (c - 48);
  }
  return neg ? -v : v;
}

function unescapeHelp(raw: string): string {
  if (raw.indexOf("\\") === -1) return raw;
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === CH_BACKSLASH && i + 1 < raw.length) {
      const n = raw.charCodeAt(i + 1);
      if (n === CH_BACKSLASH) {
        out += "\\";
        i++;
        continue;
      }
      if (n === 110 /* n */) {
        out += "\n";
        i++;
        continue;
      }
    }
    out += raw[i];
  }
  return out;
}

function cutLine(text: string): string {
  return text.length > MAX_REPORTED_LINE_CHARS ? `${text.slice(0, MAX_REPORTED_LINE_CHARS)}…` : text;
}

/**
 * The line scanner. One instance per exposition (or per stream); it carries line numbering,
 * family metadata and the interning caches across chunks.
 */
class Scanner {
  readonly families = new Map<string, MetricFamily>();
  readonly errors: MalformedLine[] = [];
  errorCount = 0;
  line = 0;
  sampleCount = 0;
  private readonly maxErrors: number;
  private readonly onSample: SampleCallback | null;
  private readonly out: Sample[] | null;
  private lastName = "";
  private readonly names = new Map<string, string>();
  private labelCache = new Map<string, Readonly<Record<string, string>>>();
  // Families whose type came from a TYPE line, as opposed to the "untyped" default of a family
  // that so far only has a HELP line (a repeated identical TYPE is fine, a contradicting one is not).
  private readonly typed = new Set<string>();
  // The most recent distinct label blocks (text including the closing '}'), oldest first once full.
  private readonly ring: { key: string; labels: Readonly<Record<string, string>> }[] = [];
  private ringNext = 0;
  private ringGuess = 0;
  private ringMisses = 0;
  private useLabelCache = true;
  private cacheHits = 0;
  private cacheMisses = 0;
  // Label names of the last block parsed, by position: a name equal to the one at the same
  // position is reused, so the object store gets an already internalized key.
  private readonly prevLabelNames: string[] = [];
  // Set by parseLabels when it fails; read right after the call.
  private labelError = "";

  constructor(out: Sample[] | null, onSample: SampleCallback | null, options: ParseOptions | undefined) {
    this.out = out;
    this.onSample = onSample;
    this.maxErrors = options?.maxErrors ?? DEFAULT_MAX_ERRORS;
  }

  summary(): ParseSummary {
    return {
      families: this.families,
      errors: this.errors,
      errorCount: this.errorCount,
      lines: this.line,
      sampleCount: this.sampleCount,
    };
  }

  /** Scans text[start, end): every line in it, the last one may lack its '\n'. */
  scan(text: string, start: number, end: number): void {
    let pos = start;
    while (pos < end) {
      let nl = text.indexOf("\n", pos);
      let next: number;
      if (nl === -1 || nl >= end) {
        nl = end;
        next = end;
      } else next = nl + 1;
      let le = nl;
      if (le > pos && text.charCodeAt(le - 1) === CH_CR) le--;
      this.line++;
      this.parseLine(text, pos, le);
      pos = next;
    }
  }

  private fail(text: string, s: number, e: number, message: string): void {
    this.errorCount++;
    if (this.errors.length < this.maxErrors) {
      this.errors.push({ line: this.line, message, text: cutLine(text.slice(s, Math.min(e, s + MAX_REPORTED_LINE_CHARS + 1))) });
    }
  }

  private parseLine(text: string, s: number, e: number): void {
    let i = s;
    let c = 0;
    while (i < e && ((c = text.charCodeAt(i)) === CH_SPACE || c === CH_TAB)) i++;
    if (i === e) return;
    if (c === CH_HASH) {
      this.parseComment(text, s, i, e);
      return;
    }
    if (c >= 128 || (CLASS[c]! & NAME_START) === 0) {
      this.fail(text, s, e, c === CH_LBRACE ? "quoted metric names inside braces are not supported by format 0.0.4" : "metric name must start with a letter, '_' or ':'");
      return;
    }
    let name = this.lastName;
    // Samples of one family are consecutive: most lines start with the previous name.
    let j = i + name.length;
    // substring + === (a memcmp) measured ~10x faster than startsWith(x, pos) on large inputs.
    if (name !== "" && j <= e && text.substring(i, j) === name && (j === e || (c = text.charCodeAt(j)) >= 128 || (CLASS[c]! & NAME_CHAR) === 0)) i = j;
    else {
      const ns = i;
      i++;
      while (i < e && (c = text.charCodeAt(i)) < 128 && (CLASS[c]! & NAME_CHAR) !== 0) i++;
      name = this.internName(text, ns, i);
    }

    const nameEnd = i;
    while (i < e && ((c = text.charCodeAt(i)) === CH_SPACE || c === CH_TAB)) i++;
    let labels = EMPTY_LABELS;
    if (i >= e || c !== CH_LBRACE) i = nameEnd;
    else {
      const open = i + 1;
      let close = -1;
      // Fast path: the block repeats one seen a few lines earlier (a DCGM exposition cycles through
      // the same GPUs in every family). A remembered block ends with its '}', holds no line
      // break and was fully validated, so identical bytes here parse identically and end at the
      // same '}' — no scanning, no hashing.
      const ring = this.ring;
      const n = ring.length;
      let k = this.ringGuess;
      // After a long run of misses (every block new) only the guess is tried, so a stream of
      // unique blocks does not pay for sixteen comparisons per line; every 32nd line still tries
      // them all, so a repeating pattern that returns is picked up again.
      const tries = this.ringMisses > 64 && (this.line & 31) !== 0 ? Math.min(n, 1) : n;
      for (let t = 0; t < tries; t++) {
        const entry = ring[k]!;
        const end = open + entry.key.length;
        if (end <= e && text.substring(open, end) === entry.key) {
          close = end - 1;
          labels = entry.labels;
          this.ringGuess = k + 1 === n ? 0 : k + 1;
          this.ringMisses = 0;
          break;
        }
        k = k + 1 === n ? 0 : k + 1;
      }
      if (close < 0) {
        close = findLabelBlockEnd(text, open, e);
        if (close < 0) {
          this.fail(text, s, e, close === -2 ? "unterminated label value (missing closing quote)" : "label block is missing its closing '}'");
          return;
        }
        if (close > open) {
          this.ringMisses++;
          const key = text.slice(open, close + 1);
          // The map catches blocks that recur beyond the ring's reach; hashing a 250-character key
          // is not free, so it is dropped for the rest of the input once it rarely hits.
          let cached = this.useLabelCache ? this.labelCache.get(key) : undefined;
          if (cached !== undefined) this.cacheHits++;
          else {
            const parsed = this.parseLabels(text, open, close);
            if (parsed === null) {
              this.fail(text, s, e, this.labelError);
              return;
            }
            cached = parsed;
            if (this.useLabelCache) {
              if (++this.cacheMisses >= 256 && this.cacheHits * 4 < this.cacheMisses) this.useLabelCache = false;
              else {
                if (this.labelCache.size >= LABEL_CACHE_LIMIT) this.labelCache = new Map();
                this.labelCache.set(key, parsed);
              }
            }
          }
          labels = cached;
          this.remember(key, cached);
        }
      }
      i = close + 1;
    }

    const ws = i;
    while (i < e && ((c = text.charCodeAt(i)) === CH_SPACE || c === CH_TAB)) i++;
    if (i === e) {
      this.fail(text, s, e, `sample ${name} has no value`);
      return;
    }
    if (i === ws) {
      this.fail(text, s, e, i > nameEnd ? `expected whitespace after the label block of ${name}` : `unexpected character ${JSON.stringify(text[i])} after metric name ${name}`);
      return;
    }
    const vs = i;
    while (i < e && (c = text.charCodeAt(i)) !== CH_SPACE && c !== CH_TAB) i++;
    const value = parseValue(text, vs, i);
    if (value === undefined) {
      this.fail(text, s, e, `invalid value ${JSON.stringify(text.slice(vs, i))} for ${name}`);
      return;
    }
    while (i < e && ((c = text.charCodeAt(i)) === CH_SPACE || c === CH_TAB)) i++;
    let timestampMs: number | null = null;
    if (i < e) {
      const ts = i;
      while (i < e && (c = text.charCodeAt(i)) !== CH_SPACE && c !== CH_TAB) i++;
      const t = parseTimestamp(text, ts, i);
      if (t === undefined) {
        this.fail(text, s, e, `invalid timestamp ${JSON.stringify(text.slice(ts, i))} for ${name} (integer milliseconds expected)`);
        return;
      }
      timestampMs = t;
      while (i < e && ((c = text.charCodeAt(i)) === CH_SPACE || c === CH_TAB)) i++;
      if (i < e) {
        this.fail(text, s, e, `unexpected text after the timestamp of ${name}`);
        return;
      }
    }
    const sample: Sample = { name, labels, value, timestampMs };
    this.sampleCount++;
    if (this.out !== null) this.out.push(sample);
    else this.onSample!(sample);
  }

  private remember(key: string, labels: Readonly<Record<string, string>>): void {
    const entry = { key, labels };
    if (this.ring.length < RING_SIZE) {
      this.ring.push(entry);
      this.ringGuess = 0;
      return;
    }
    this.ring[this.ringNext] = entry;
    this.ringGuess = this.ringNext + 1 === RING_SIZE ? 0 : this.ringNext + 1;
    this.ringNext = this.ringGuess;
  }

  private internName(text: string, s: number, e: number): string {
    const last = this.lastName;
    // Samples of one family are consecutive, so the previous name almost always matches.
    if (last.length === e - s && text.substring(s, e) === last) return last;
    const raw = text.slice(s, e);
    let name = this.names.get(raw);
    if (name === undefined) {
      this.names.set(raw, raw);
      name = raw;
    }
    this.lastName = name;
    return name;
  }

  /** Parses the label block text[s, e) (between the braces); null with `labelError` set on failure. */
  private parseLabels(text: string, s: number, e: number): Readonly<Record<string, string>> | null {
    const labels: Record<string, string> = {};
    let i = s;
    let c = 0;
    let count = 0;
    for (;;) {
      while (i < e && ((c = text.charCodeAt(i)) === CH_SPACE || c === CH_TAB)) i++;
      if (i === e) break;
      const ns = i;
      if (c >= 128 || (CLASS[c]! & LABEL_START) === 0) {
        this.labelError = c === CH_COMMA ? "empty label name (stray ',')" : `invalid label name starting at ${JSON.stringify(text.slice(ns, ns + 16))}`;
        return null;
      }
      // Blocks of one exporter share their label names position by position: try the name seen
      // at this position last time before scanning character by character.
      const prev = this.prevLabelNames[count];
      let labelName: string;
      let j = 0;
      if (prev !== undefined && (j = ns + prev.length) < e && ((c = text.charCodeAt(j)) === CH_EQ || c === CH_SPACE || c === CH_TAB) && text.substring(ns, j) === prev) {
        labelName = prev;
        i = j;
      } else {
        i++;
        while (i < e && (c = text.charCodeAt(i)) < 128 && (CLASS[c]! & LABEL_CHAR) !== 0) i++;
        labelName = text.slice(ns, i);
        this.prevLabelNames[count] = labelName;
      }
      while (i < e && ((c = text.charCodeAt(i)) === CH_SPACE || c === CH_TAB)) i++;
      if (i === e || c !== CH_EQ) {
        this.labelError = `expected '=' after label name ${labelName}`;
        return null;
      }
      i++;
      while (i < e && ((c = text.charCodeAt(i)) === CH_SPACE || c === CH_TAB)) i++;
      if (i === e || c !== CH_QUOTE) {
        this.labelError = `label ${labelName} value must be a double-quoted string`;
        return null;
      }
      i++;
      const vs = i;
      // findLabelBlockEnd already proved the quote is closed inside [s, e). A quote preceded by
      // an odd run of backslashes is escaped and does not close the value.
      let q = text.indexOf('"', vs);
      for (;;) {
        let b = q - 1;
        while (b >= vs && text.charCodeAt(b) === CH_BACKSLASH) b--;
        if (((q - 1 - b) & 1) === 0) break;
        q = text.indexOf('"', q + 1);
      }
      let value = text.slice(vs, q);
      if (value.indexOf("\\") !== -1) value = unescapeLabelValue(text, vs, q);
      i = q + 1;
      if (Object.prototype.hasOwnProperty.call(labels, labelName)) {
        this.labelError = `duplicate label name ${labelName}`;
        return null;
      }
      if (labelName === "__proto__") Object.defineProperty(labels, labelName, { value, enumerable: true, writable: true, configurable: true });
      else labels[labelName] = value;
      count++;
      while (i < e && ((c = text.charCodeAt(i)) === CH_SPACE || c === CH_TAB)) i++;
      if (i === e) break;
      if (c !== CH_COMMA) {
        this.labelError = `expected ',' or '}' after the value of label ${labelName}`;
        return null;
      }
      i++;
    }
    return count === 0 ? EMPTY_LABELS : Object.freeze(labels);
  }

  private parseComment(text: string, lineStart: number, hash: number, e: number): void {
    let i = hash + 1;
    let c = 0;
    const ws = i;
    while (i < e && ((c = text.charCodeAt(i)) === CH_SPACE || c === CH_TAB)) i++;
    if (i === ws || e - i < 4) return; // "#HELP …" or a short comment: plain comment
    const isHelp = text.startsWith("HELP", i);
    const isType = !isHelp && text.startsWith("TYPE", i);
    if (!isHelp && !isType) return;
    i += 4;
    if (i < e && (c = text.charCodeAt(i)) !== CH_SPACE && c !== CH_TAB) return; // "# HELPFUL …": plain comment
    const keyword = isHelp ? "HELP" : "TYPE";
    while (i < e && ((c = text.charCodeAt(i)) === CH_SPACE || c === CH_TAB)) i++;
    if (i === e) {
      this.fail(text, lineStart, e, `${keyword} line without a metric name`);
      return;
    }
    const ns = i;
    if (c >= 128 || (CLASS[c]! & NAME_START) === 0) {
      this.fail(text, lineStart, e, `${keyword} line has an invalid metric name`);
      return;
    }
    i++;
    while (i < e && (c = text.charCodeAt(i)) < 128 && (CLASS[c]! & NAME_CHAR) !== 0) i++;
    if (i < e && c !== CH_SPACE && c !== CH_TAB) {
      this.fail(text, lineStart, e, `${keyword} line has an invalid metric name`);
      return;
    }
    const name = this.internName(text, ns, i);
    while (i < e && ((c = text.charCodeAt(i)) === CH_SPACE || c === CH_TAB)) i++;
    let family = this.families.get(name);
    if (isHelp) {
      // Real dumps carry "# HELP NAME" with no text at all (and no trailing space): help is "".
      const help = unescapeHelp(text.slice(i, e));
      if (family === undefined) this.families.set(name, { name, type: "untyped", help });
      else family.help = help; // a repeated HELP (concatenated dumps) replaces the text
      return;
    }
    const ts = i;
    while (i < e && (c = text.charCodeAt(i)) !== CH_SPACE && c !== CH_TAB) i++;
    const word = text.slice(ts, i).toLowerCase();
    while (i < e && ((c = text.charCodeAt(i)) === CH_SPACE || c === CH_TAB)) i++;
    if (word === "" || i < e) {
      this.fail(text, lineStart, e, `TYPE line for ${name} must be "# TYPE name type"`);
      return;
    }
    if (!METRIC_TYPES.has(word)) {
      this.fail(text, lineStart, e, `unknown metric type ${JSON.stringify(word)} for ${name} (counter, gauge, histogram, summary or untyped)`);
      return;
    }
    const type = word as MetricType;
    if (family === undefined) {
      family = { name, type, help: null };
      this.families.set(name, family);
      this.typed.add(name);
      return;
    }
    if (this.typed.has(name) && family.type !== type) {
      this.fail(text, lineStart, e, `TYPE for ${name} was already declared as ${family.type}`);
      return;
    }
    family.type = type;
    this.typed.add(name);
  }
}

/**
 * Index just past the label block opened before `s`, i.e. the position of its '}', or -1 when
 * the line ends first, -2 when a quoted value is not closed on this line.
 */
function findLabelBlockEnd(text: string, s: number, e: number): number {
  let j = s;
  while (j < e) {
    const c = text.charCodeAt(j);
    if (c === CH_QUOTE) {
      let q = j + 1;
      for (;;) {
        q = text.indexOf('"', q);
        if (q === -1 || q >= e) return -2;
        let b = q - 1;
        while (b > j && text.charCodeAt(b) === CH_BACKSLASH) b--;
        if (((q - 1 - b) & 1) === 0) break; // an even run of backslashes: the quote is real
        q++;
      }
      j = q + 1;
    } else if (c === CH_RBRACE) return j;
    else j++;
  }
  return -1;
}

function unescapeLabelValue(text: string, s: number, e: number): string {
  let out = "";
  let run = s;
  for (let i = s; i < e; i++) {
    if (text.charCodeAt(i) !== CH_BACKSLASH || i + 1 >= e) continue;
    const n = text.charCodeAt(i + 1);
    let rep: string | null = null;
    if (n === CH_BACKSLASH) rep = "\\";
    else if (n === CH_QUOTE) rep = '"';
    else if (n === 110 /* n */) rep = "\n";
    if (rep === null) {
      i++; // unknown escape: keep both characters verbatim
      continue;
    }
    out += text.slice(run, i) + rep;
    i++;
    run = i + 1;
  }
  return out + text.slice(run, e);
}

function stripBom(text: string): number {
  return text.charCodeAt(0) === 0xfeff ? 1 : 0;
}

/** Parses a whole exposition into samples, family metadata and malformed-line reports. */
export function parsePrometheusText(text: string, options?: ParseOptions): ParseResult {
  const samples: Sample[] = [];
  const scanner = new Scanner(samples, null, options);
  scanner.scan(text, stripBom(text), text.length);
  return { samples, ...scanner.summary() };
}

/**
 * Callback form: calls `onSample` for every sample in order without building an array (the
 * scraper relabels and forwards samples as they come). Returns the same summary as
 * `parsePrometheusText` minus the samples.
 */
export function forEachPrometheusSample(text: string, onSample: SampleCallback, options?: ParseOptions): ParseSummary {
  const scanner = new Scanner(null, onSample, options);
  scanner.scan(text, stripBom(text), text.length);
  return scanner.summary();
}

/**
 * Incremental form for bodies that arrive in chunks: `write` any number of string or byte
 * chunks (UTF-8, split anywhere, even inside a character or a CRLF), then `end`. Complete lines
 * are parsed as soon as they arrive; line numbers run across chunks.
 */
export class PromTextStreamParser {
  private readonly scanner: Scanner;
  private readonly decoder = new TextDecoder("utf-8");
  private pending = "";
  private started = false;
  private ended = false;

  constructor(onSample: SampleCallback, options?: ParseOptions) {
    this.scanner = new Scanner(null, onSample, options);
  }

  write(chunk: string | Uint8Array): void {
    if (this.ended) return;
    let piece = typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    if (piece.length === 0) return;
    if (!this.started) {
      this.started = true;
      if (piece.charCodeAt(0) === 0xfeff) piece = piece.slice(1);
    }
    // Only the new piece is searched, so a very long line arriving in many chunks is not
    // rescanned (and its pending text not flattened) once per chunk.
    const nl = piece.lastIndexOf("\n");
    if (nl === -1) {
      this.pending += piece;
      return;
    }
    const text = this.pending + piece;
    const end = this.pending.length + nl + 1;
    this.scanner.scan(text, 0, end);
    this.pending = text.slice(end);
  }

  /** Parses whatever is left (a last line without '\n') and returns the summary. Idempotent. */
  end(): ParseSummary {
    if (!this.ended) {
      this.ended = true;
      const rest = this.pending + this.decoder.decode();
      this.pending = "";
      // A BOM can only still be here when every write was empty.
      const start = !this.started && rest.charCodeAt(0) === 0xfeff ? 1 : 0;
      this.scanner.scan(rest, start, rest.length);
    }
    return this.scanner.summary();
  }
}

const SUFFIXES: ReadonlyArray<readonly [string, ReadonlySet<MetricType>]> = [
  ["_bucket", new Set<MetricType>(["histogram"])],
  ["_sum", new Set<MetricType>(["histogram", "summary"])],
  ["_count", new Set<MetricType>(["histogram", "summary"])],
];

/**
 * The family a sample belongs to: its own name, or for histogram/summary series the declared
 * family without the `_bucket`/`_sum`/`_count` suffix. Undefined when nothing was declared.
 */
export function resolveFamily(families: ReadonlyMap<string, MetricFamily>, sampleName: string): MetricFamily | undefined {
  const direct = families.get(sampleName);
  if (direct !== undefined) return direct;
  for (const [suffix, types] of SUFFIXES) {
    if (!sampleName.endsWith(suffix)) continue;
    const family = families.get(sampleName.slice(0, -suffix.length));
    if (family !== undefined && types.has(family.type)) return family;
  }
  return undefined;
}

// Exported for the writer's tests and the CLI: the character classes the parser enforces.
export const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
