// Calico's selector language, parsed and evaluated the way libcalico-go does it: `==`, `!=`, `in {…}`,
// `not in {…}`, `contains`, `starts with`, `ends with`, `has()`, `all()`, `global()`, `&&`, `||`, `!`
// and parentheses; string literals in single or double quotes without escapes; label names of
// letters, digits, `_ . / -`. `!` binds tighter than `&&`, which binds tighter than `||`. An empty
// selector means all(). Errors name the position (0-based column) so an admin can find the typo.
import { AppError } from "../../errors";
import { BitSet } from "./bitset";

export type SelectorNode =
  | { t: "all" }
  | { t: "global" }
  | { t: "has"; key: string }
  | { t: "eq" | "ne" | "contains" | "starts" | "ends"; key: string; value: string }
  | { t: "in" | "notin"; key: string; values: string[] }
  | { t: "not"; e: SelectorNode }
  | { t: "and" | "or"; es: SelectorNode[] };

export interface Selector {
  readonly source: string;
  readonly root: SelectorNode;
}

/** A selector that failed to parse; `position` is the 0-based column of the offending input. */
export class SelectorSyntaxError extends AppError {
  readonly position: number;
  readonly selector: string;
  constructor(selector: string, position: number, problem: string) {
    const caret = `${selector}\n${" ".repeat(position)}^`;
    super("BAD_INPUT", `invalid selector at position ${position}: ${problem}\n${caret}`, { selector, position });
    this.name = "SelectorSyntaxError";
    this.position = position;
    this.selector = selector;
  }
}

type TokKind =
  | "label"
  | "string"
  | "lbrace"
  | "rbrace"
  | "comma"
  | "eq"
  | "ne"
  | "in"
  | "notin"
  | "contains"
  | "starts"
  | "ends"
  | "not"
  | "all"
  | "global"
  | "has"
  | "lparen"
  | "rparen"
  | "and"
  | "or"
  | "eof";

interface Token {
  kind: TokKind;
  value: string;
  pos: number;
}

const MAX_LABEL_LENGTH = 512;

function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_./-]/.test(c);
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const fail = (pos: number, problem: string): never => {
    throw new SelectorSyntaxError(src, pos, problem);
  };
  const skipWs = () => {
    while (src[i] === " " || src[i] === "\t") i++;
  };
  const ident = (): string => {
    const start = i;
    while (isIdentChar(src[i])) i++;
    if (i === start) fail(start, src[start] === undefined ? "expected a label name, found the end" : `expected a label name, found '${src[start]}'`);
    if (i - start > MAX_LABEL_LENGTH) fail(start, `label name longer than ${MAX_LABEL_LENGTH} characters`);
    return src.slice(start, i);
  };
  // A keyword operator only counts when followed by a word boundary ("inx" is not "in").
  const word = (w: string): boolean => {
    if (!src.startsWith(w, i) || isIdentChar(src[i + w.length])) return false;
    i += w.length;
    return true;
  };
  const words = (...ws: string[]): boolean => {
    const save = i;
    for (let k = 0; k < ws.length; k++) {
      const w = ws[k]!;
      if (!src.startsWith(w, i)) {
        i = save;
        return false;
      }
      i += w.length;
      if (k < ws.length - 1) skipWs();
    }
    if (isIdentChar(src[i])) {
      i = save;
      return false;
    }
    return true;
  };
  for (;;) {
    skipWs();
    const pos = i;
    if (i >= src.length) {
      out.push({ kind: "eof", value: "", pos });
      return out;
    }
    const c = src[i]!;
    const last = out[out.length - 1]?.kind;
    const push = (kind: TokKind, value = "") => out.push({ kind, value, pos });
    if (c === "(") {
      i++;
      push("lparen");
    } else if (c === ")") {
      i++;
      push("rparen");
    } else if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end === -1) fail(pos, `unterminated string (no closing ${c})`);
      push("string", src.slice(i + 1, end));
      i = end + 1;
    } else if (c === "{") {
      i++;
      push("lbrace");
    } else if (c === "}") {
      i++;
      push("rbrace");
    } else if (c === ",") {
      i++;
      push("comma");
    } else if (c === "=") {
      if (src[i + 1] !== "=") fail(pos, "expected '==' (a single '=' is not an operator)");
      i += 2;
      push("eq");
    } else if (c === "!") {
      if (src[i + 1] === "=") {
        i += 2;
        push("ne");
      } else {
        i++;
        push("not");
      }
    } else if (c === "&") {
      if (src[i + 1] !== "&") fail(pos, "expected '&&'");
      i += 2;
      push("and");
    } else if (c === "|") {
      if (src[i + 1] !== "|") fail(pos, "expected '||'");
      i += 2;
      push("or");
    } else if (last === "label") {
      if (word("contains")) push("contains");
      else if (words("starts", "with")) push("starts");
      else if (words("ends", "with")) push("ends");
      else if (words("not", "in")) push("notin");
      else if (word("in")) push("in");
      else fail(pos, `expected an operator (==, !=, in, not in, contains, starts with, ends with) after label '${out[out.length - 1]!.value}'`);
    } else if (src.startsWith("has(", i)) {
      i += 4;
      skipWs();
      const key = ident();
      skipWs();
      if (src[i] !== ")") fail(i, "expected ')' to close has(");
      i++;
      push("has", key);
    } else if (src.startsWith("all(", i)) {
      i += 4;
      skipWs();
      if (src[i] !== ")") fail(i, "expected ')' after all(");
      i++;
      push("all");
    } else if (src.startsWith("global(", i)) {
      i += 7;
      skipWs();
      if (src[i] !== ")") fail(i, "expected ')' after global(");
      i++;
      push("global");
    } else {
      push("label", ident());
    }
  }
}

class Parser {
  private k = 0;
  constructor(
    private readonly src: string,
    private readonly toks: Token[],
  ) {}

  private peek(): Token {
    return this.toks[this.k]!;
  }

  private fail(tok: Token, problem: string): never {
    throw new SelectorSyntaxError(this.src, tok.pos, problem);
  }

  private describe(tok: Token): string {
    switch (tok.kind) {
      case "eof":
        return "the end of the selector";
      case "label":
        return `label '${tok.value}'`;
      case "string":
        return `string '${tok.value}'`;
      default:
        return `'${this.src.slice(tok.pos, tok.pos + 1)}…'`;
    }
  }

  parseRoot(): SelectorNode {
    if (this.peek().kind === "eof") return { t: "all" };
    const node = this.parseOr();
    const rest = this.peek();
    if (rest.kind !== "eof") this.fail(rest, `unexpected ${this.describe(rest)} (expected && or || or the end)`);
    return node;
  }

  private parseOr(): SelectorNode {
    const es = [this.parseAnd()];
    while (this.peek().kind === "or") {
      this.k++;
      es.push(this.parseAnd());
    }
    return es.length === 1 ? es[0]! : { t: "or", es };
  }

  private parseAnd(): SelectorNode {
    const es = [this.parseOp()];
    while (this.peek().kind === "and") {
      this.k++;
      es.push(this.parseOp());
    }
    return es.length === 1 ? es[0]! : { t: "and", es };
  }

  private parseOp(): SelectorNode {
    let negated = false;
    while (this.peek().kind === "not") {
      negated = !negated;
      this.k++;
    }
    const tok = this.peek();
    let node: SelectorNode;
    switch (tok.kind) {
      case "has":
        this.k++;
        node = { t: "has", key: tok.value };
        break;
      case "all":
        this.k++;
        node = { t: "all" };
        break;
      case "global":
        this.k++;
        node = { t: "global" };
        break;
      case "lparen": {
        this.k++;
        node = this.parseOr();
        const close = this.peek();
        if (close.kind !== "rparen") this.fail(close, `expected ')' to close the '(' at position ${tok.pos}, found ${this.describe(close)}`);
        this.k++;
        break;
      }
      case "label": {
        this.k++;
        const op = this.peek();
        this.k++;
        if (op.kind === "eq" || op.kind === "ne" || op.kind === "contains" || op.kind === "starts" || op.kind === "ends") {
          const lit = this.peek();
          if (lit.kind !== "string") this.fail(lit, `expected a quoted string after the operator, found ${this.describe(lit)}`);
          this.k++;
          node = { t: op.kind, key: tok.value, value: lit.value };
        } else if (op.kind === "in" || op.kind === "notin") {
          const brace = this.peek();
          if (brace.kind !== "lbrace") this.fail(brace, `expected a set literal '{…}' after '${op.kind === "in" ? "in" : "not in"}'`);
          this.k++;
          const values: string[] = [];
          while (this.peek().kind === "string") {
            values.push(this.peek().value);
            this.k++;
            if (this.peek().kind !== "comma") break;
            this.k++;
          }
          const close = this.peek();
          if (close.kind !== "rbrace") this.fail(close, `expected '}' or a quoted string in the set, found ${this.describe(close)}`);
          this.k++;
          node = { t: op.kind, key: tok.value, values: [...new Set(values)].sort() };
        } else {
          this.fail(op, `expected an operator after label '${tok.value}'`);
        }
        break;
      }
      default:
        this.fail(tok, `expected a label, has(), all(), global(), '!' or '(' but found ${this.describe(tok)}`);
    }
    return negated ? { t: "not", e: node } : node;
  }
}

/** Parses a selector; throws SelectorSyntaxError (code BAD_INPUT) naming the position. */
export function parseSelector(source: string): Selector {
  return { source, root: new Parser(source, tokenize(source)).parseRoot() };
}

const cache = new Map<string, Selector>();
/** parseSelector with a bounded memo, for evaluators that meet the same selector many times. */
export function parseSelectorCached(source: string): Selector {
  let s = cache.get(source);
  if (!s) {
    s = parseSelector(source);
    if (cache.size > 10_000) cache.clear();
    cache.set(source, s);
  }
  return s;
}

export type Labels = Readonly<Record<string, string>>;

// global() means "not in a namespace" (GlobalNetworkSets, HostEndpoints). Calico only allows it in
// a rule's namespaceSelector (a CRD validation rule); evaluated here as "has no namespace label",
// so it never matches a workload endpoint or a namespace.
const NAMESPACE_LABEL = "projectcalico.org/namespace";

function evalNode(n: SelectorNode, labels: Labels): boolean {
  switch (n.t) {
    case "all":
      return true;
    case "global":
      return !Object.hasOwn(labels, NAMESPACE_LABEL);
    case "has":
      return Object.hasOwn(labels, n.key);
    case "eq":
      return Object.hasOwn(labels, n.key) && labels[n.key] === n.value;
    case "ne":
      // A missing label is "not equal" (libcalico-go LabelNeValueNode).
      return !Object.hasOwn(labels, n.key) || labels[n.key] !== n.value;
    case "contains":
      return Object.hasOwn(labels, n.key) && labels[n.key]!.includes(n.value);
    case "starts":
      return Object.hasOwn(labels, n.key) && labels[n.key]!.startsWith(n.value);
    case "ends":
      return Object.hasOwn(labels, n.key) && labels[n.key]!.endsWith(n.value);
    case "in":
      return Object.hasOwn(labels, n.key) && n.values.includes(labels[n.key]!);
    case "notin":
      return !Object.hasOwn(labels, n.key) || !n.values.includes(labels[n.key]!);
    case "not":
      return !evalNode(n.e, labels);
    case "and":
      return n.es.every((e) => evalNode(e, labels));
    case "or":
      return n.es.some((e) => evalNode(e, labels));
  }
}

/** Whether a label set satisfies the selector. */
export function matches(selector: Selector | string, labels: Labels): boolean {
  const s = typeof selector === "string" ? parseSelectorCached(selector) : selector;
  return evalNode(s.root, labels);
}

function quote(v: string): string {
  return v.includes("'") ? `"${v}"` : `'${v}'`;
}

/** Canonical text of a parsed selector (stable quoting and spacing). */
export function formatSelector(n: SelectorNode): string {
  switch (n.t) {
    case "all":
      return "all()";
    case "global":
      return "global()";
    case "has":
      return `has(${n.key})`;
    case "eq":
      return `${n.key} == ${quote(n.value)}`;
    case "ne":
      return `${n.key} != ${quote(n.value)}`;
    case "contains":
      return `${n.key} contains ${quote(n.value)}`;
    case "starts":
      return `${n.key} starts with ${quote(n.value)}`;
    case "ends":
      return `${n.key} ends with ${quote(n.value)}`;
    case "in":
      return `${n.key} in {${n.values.map(quote).join(", ")}}`;
    case "notin":
      return `${n.key} not in {${n.values.map(quote).join(", ")}}`;
    case "not":
      return n.e.t === "and" || n.e.t === "or" ? `!(${formatSelector(n.e)})` : `!${formatSelector(n.e)}`;
    case "and":
      return n.es.map((e) => (e.t === "or" ? `(${formatSelector(e)})` : formatSelector(e))).join(" && ");
    case "or":
      return n.es.map(formatSelector).join(" || ");
  }
}

// ---- Set-at-a-time evaluation over an indexed population ----

/**
 * An index of the labelled population (workload endpoints) by label key and value, so a selector
 * is evaluated for every member at once with bit-set operations. Members outside `universe` (plain
 * IP peers such as agents) never match a selector — not even `all()` or a negation — exactly as in
 * Felix, where a selector becomes an IP set of the endpoints it matches.
 */
export class LabelIndex {
  readonly size: number;
  readonly universe: BitSet;
  private readonly byKey = new Map<string, { all: BitSet; byValue: Map<string, BitSet> }>();
  private readonly globalSet: BitSet;

  constructor(size: number, members: { index: number; labels: Labels }[]) {
    this.size = size;
    this.universe = new BitSet(size);
    this.globalSet = new BitSet(size);
    for (const { index, labels } of members) {
      this.universe.add(index);
      if (!Object.hasOwn(labels, NAMESPACE_LABEL)) this.globalSet.add(index);
      for (const [k, v] of Object.entries(labels)) {
        let e = this.byKey.get(k);
        if (!e) this.byKey.set(k, (e = { all: new BitSet(size), byValue: new Map() }));
        e.all.add(index);
        let vs = e.byValue.get(v);
        if (!vs) e.byValue.set(v, (vs = new BitSet(size)));
        vs.add(index);
      }
    }
  }

  private valuesWhere(key: string, pred: (v: string) => boolean): BitSet {
    const e = this.byKey.get(key);
    const out = new BitSet(this.size);
    if (!e) return out;
    for (const [v, set] of e.byValue) if (pred(v)) out.orInPlace(set);
    return out;
  }

  /** The members matching the selector, as a bit set over the index's positions. */
  select(selector: Selector | string): BitSet {
    const s = typeof selector === "string" ? parseSelectorCached(selector) : selector;
    return this.evalSet(s.root);
  }

  private evalSet(n: SelectorNode): BitSet {
    const empty = () => new BitSet(this.size);
    switch (n.t) {
      case "all":
        return this.universe.clone();
      case "global":
        return this.globalSet.clone();
      case "has":
        return this.byKey.get(n.key)?.all.clone() ?? empty();
      case "eq":
        return this.byKey.get(n.key)?.byValue.get(n.value)?.clone() ?? empty();
      case "ne":
        return this.universe.andNot(this.byKey.get(n.key)?.byValue.get(n.value) ?? empty());
      case "contains":
        return this.valuesWhere(n.key, (v) => v.includes(n.value));
      case "starts":
        return this.valuesWhere(n.key, (v) => v.startsWith(n.value));
      case "ends":
        return this.valuesWhere(n.key, (v) => v.endsWith(n.value));
      case "in":
        return this.valuesWhere(n.key, (v) => n.values.includes(v));
      case "notin":
        return this.universe.andNot(this.valuesWhere(n.key, (v) => n.values.includes(v)));
      case "not":
        return this.universe.andNot(this.evalSet(n.e));
      case "and":
        return n.es.map((e) => this.evalSet(e)).reduce((a, b) => a.and(b));
      case "or":
        return n.es.map((e) => this.evalSet(e)).reduce((a, b) => a.or(b));
    }
  }
}
