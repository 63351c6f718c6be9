import { describe, expect, it } from "vitest";
import { escapeHelp, escapeLabelValue, formatExposition, formatSampleLine, formatValue } from "./prom-text-writer";

describe("prom-text-writer", () => {
  it("escapes label values and HELP text as format 0.0.4 asks", () => {
    expect(escapeLabelValue('C:\\DIR\n"x"')).toBe('C:\\\\DIR\\n\\"x\\"');
    expect(escapeLabelValue("plain")).toBe("plain");
    expect(escapeHelp('a\\b\n"c"')).toBe('a\\\\b\\n"c"');
  });

  it("writes special values in Go's spelling and keeps the sign of -0", () => {
    expect([NaN, Infinity, -Infinity, -0, 0, 1e21, 0.1].map(formatValue)).toEqual(["NaN", "+Inf", "-Inf", "-0", "0", "1e+21", "0.1"]);
  });

  it("writes HELP, TYPE and samples per family, with optional timestamps", () => {
    const text = formatExposition([
      { name: "m", type: "gauge", help: "Help.", samples: [{ name: "m", labels: { a: "1" }, value: 2, timestampMs: 3 }] },
      { name: "n", help: "", samples: [{ name: "n", labels: {}, value: 1 }] },
    ]);
    expect(text).toBe('# HELP m Help.\n# TYPE m gauge\nm{a="1"} 2 3\n# HELP n\nn 1\n');
    expect(formatSampleLine({ name: "x", labels: {}, value: NaN, timestampMs: null })).toBe("x NaN");
    expect(formatExposition([])).toBe("");
  });
});
