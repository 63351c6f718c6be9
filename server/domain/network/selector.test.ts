import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { realFixture } from "../../../test/fixtures";
import { LabelIndex, SelectorSyntaxError, formatSelector, matches, parseSelector, type SelectorNode } from "./selector";

const L = { app: "web", tier: "front", "ai.backend.session-id": "s1", "projectcalico.org/namespace": "prod" };

describe("Calico selector evaluation", () => {
  it.each([
    ["", true],
    ["all()", true],
    ["app == 'web'", true],
    ['app == "web"', true],
    ["app == 'db'", false],
    ["app != 'db'", true],
    ["missing != 'x'", true], // a missing label is "not equal"
    ["missing == ''", false],
    ["has(app)", true],
    ["!has(app)", false],
    ["has( app )", true],
    ["has(missing)", false],
    ["app in {'db', 'web'}", true],
    ["app in {}", false],
    ["app in {'db',}", false],
    ["app not in {'db'}", true],
    ["missing not in {'x'}", true],
    ["app notin {'web'}", false],
    ["app contains 'e'", true],
    ["app starts with 'we'", true],
    ["app ends  with 'eb'", true],
    ["missing starts with ''", false],
    ["app == 'web' && tier == 'front'", true],
    ["app == 'db' || tier == 'front'", true],
    ["app == 'db' || tier == 'front' && has(nope)", false], // && binds tighter than ||
    ["(app == 'db' || tier == 'front') && has(app)", true],
    ["!(app == 'db')", true],
    ["!!has(app)", true],
    ["!app == 'web'", false],
    ["ai.backend.session-id == 's1'", true],
    ["global()", false],
    ["!global()", true],
  ])("%s → %s", (sel, want) => {
    expect(matches(parseSelector(sel), L)).toBe(want);
  });

  it("global() matches only what has no namespace label", () => {
    expect(matches("global()", { a: "b" })).toBe(true);
  });
});

describe("selector syntax errors name the position", () => {
  it.each([
    ["app = 'web'", 4, /'=='/],
    ["app == web", 7, /quoted string/],
    ["app == 'web", 7, /unterminated/],
    ["has(app", 7, /close has/],
    ["app == 'a' && ", 14, /end of the selector/],
    ["(app == 'a'", 11, /'\)'/],
    ["app in ('a')", 7, /set literal/],
    ["app in {'a' 'b'}", 12, /'}'/],
    ["app 'x'", 4, /operator/],
    ["app == 'a' b == 'c'", 11, /unexpected/],
    ["a & b", 2, /&&/],
    ["all(x)", 4, /all\(/],
  ])("%j fails at %i", (sel, pos, msg) => {
    let err: unknown;
    try {
      parseSelector(sel);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SelectorSyntaxError);
    const e = err as SelectorSyntaxError;
    expect(e.code).toBe("BAD_INPUT");
    expect(e.position).toBe(pos);
    expect(e.message).toMatch(msg);
    expect(e.message).toContain(`position ${pos}`);
  });
});

function selectorsIn(v: unknown, out: string[]): void {
  if (Array.isArray(v)) v.forEach((x) => selectorsIn(x, out));
  else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      if (/[sS]elector$/.test(k) && typeof x === "string") out.push(x);
      else selectorsIn(x, out);
    }
  }
}

describe("every selector in Calico's own documentation examples", () => {
  it("parses", () => {
    const dir = realFixture("calico", "examples", "docs-yaml-blocks", "all-v3");
    const selectors: string[] = [];
    for (const f of readdirSync(dir)) {
      const text = readFileSync(path.join(dir, f), "utf8");
      if (text.includes("{{")) continue; // Jekyll placeholders, not YAML
      for (const doc of parseAllDocuments(text)) selectorsIn(doc.toJSON(), selectors);
    }
    for (const f of ["seed-resources.yaml", "app-policy-demo-30-policy.yaml"]) {
      for (const doc of parseAllDocuments(readFileSync(realFixture("calico", "examples", f), "utf8"))) selectorsIn(doc.toJSON(), selectors);
    }
    expect(selectors.length).toBeGreaterThan(30);
    for (const s of selectors) expect(() => parseSelector(s), s).not.toThrow();
  });
});

// Random selector trees over a small label vocabulary, to compare the per-endpoint evaluator with
// the set-at-a-time one and check that formatting round-trips.
const keys = ["a", "b", "ai.backend.session-id"];
const values = ["x", "y", "z"];
const leaf: fc.Arbitrary<SelectorNode> = fc.oneof(
  fc.constant<SelectorNode>({ t: "all" }),
  fc.constantFrom(...keys).map((key): SelectorNode => ({ t: "has", key })),
  fc.tuple(fc.constantFrom("eq", "ne", "contains", "starts", "ends" as const), fc.constantFrom(...keys), fc.constantFrom(...values, "")).map(
    ([t, key, value]): SelectorNode => ({ t, key, value }),
  ),
  fc.tuple(fc.constantFrom("in", "notin" as const), fc.constantFrom(...keys), fc.uniqueArray(fc.constantFrom(...values), { maxLength: 3 })).map(
    ([t, key, vs]): SelectorNode => ({ t, key, values: [...vs].sort() }),
  ),
);
const tree = fc.letrec<{ node: SelectorNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    tie("node").map((e): SelectorNode => ({ t: "not", e })),
    fc.array(tie("node"), { minLength: 2, maxLength: 3 }).map((es): SelectorNode => ({ t: "and", es })),
    fc.array(tie("node"), { minLength: 2, maxLength: 3 }).map((es): SelectorNode => ({ t: "or", es })),
  ),
})).node;
const labelSet = fc.dictionary(fc.constantFrom(...keys), fc.constantFrom(...values), { maxKeys: 3 });

describe("selector properties", () => {
  it("formatting then parsing gives a selector with the same meaning", () => {
    fc.assert(
      fc.property(tree, fc.array(labelSet, { maxLength: 6 }), (node, sets) => {
        const reparsed = parseSelector(formatSelector(node));
        for (const labels of sets) expect(matches(reparsed, labels)).toBe(matches({ source: "", root: node }, labels));
      }),
      { numRuns: 300 },
    );
  });

  it("set-at-a-time evaluation over an index agrees with per-endpoint evaluation", () => {
    fc.assert(
      fc.property(tree, fc.array(labelSet, { minLength: 1, maxLength: 20 }), (node, sets) => {
        // Two extra positions stand for plain IP peers: never selected.
        const index = new LabelIndex(sets.length + 2, sets.map((labels, i) => ({ index: i, labels })));
        const got = index.select({ source: "", root: node }).toArray();
        const want = sets.flatMap((labels, i) => (matches({ source: "", root: node }, labels) ? [i] : []));
        expect(got).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });
});
