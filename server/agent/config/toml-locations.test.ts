import { describe, expect, it } from "vitest";
import { parse } from "smol-toml";
import { indexLocations, locateTomlKeys, pathKey } from "./toml-locations";

const lines = (text: string, normalize?: (k: string) => string) => {
  const index = indexLocations(locateTomlKeys(text, normalize));
  return Object.fromEntries([...index.entries()].map(([k, v]) => [k, v.line]));
};

describe("locateTomlKeys", () => {
  it("finds keys under table headers, dotted and quoted keys", () => {
    const text = ['title = "x"', "", "[agent]", "id = 'a'", 'listen-address = "0.0.0.0:1" # comment', "", "[kata]", 'a.b = 1', '"quoted key" = 2'].join("\n");
    expect(lines(text)).toEqual({
      title: 1,
      agent: 3,
      "agent.id": 4,
      "agent.listen-address": 5,
      kata: 7,
      "kata.a": 8,
      "kata.a.b": 8,
      "kata.quoted key": 9,
    });
  });

  it("steps over multi-line strings and arrays without mistaking their contents for keys", () => {
    const text = ["[kata]", 'doc = """', "fake = 1", '"""', "mods = [", '  "nfs",  # one', '  "nfsv4",', "]", "after = true", "lit = '''", "x = 2", "'''", "last = 1"].join("\n");
    expect(parse(text)).toBeTruthy();
    const found = lines(text);
    expect(found["kata.fake"]).toBeUndefined();
    expect(found["kata.x"]).toBeUndefined();
    expect(found).toMatchObject({ "kata.doc": 2, "kata.mods": 5, "kata.mods[0]": 6, "kata.mods[1]": 7, "kata.after": 9, "kata.lit": 10, "kata.last": 13 });
  });

  it("numbers arrays of tables and finds keys of inline tables", () => {
    const text = [
      "[[kata.storage-mounts]]",
      'fs-type = "nfs"',
      "[[kata.storage-mounts]]",
      'fs_type = "lustre"',
      "[kata]",
      'nic = { device = "ib0",',
      '  address = "10.0.0.1/24" }',
    ].join("\n");
    // (an inline table over two lines is not valid TOML 1.0; the scanner copes anyway)
    const found = lines(text, (k) => k.replace(/_/g, "-"));
    expect(found).toMatchObject({
      "kata.storage-mounts": 1,
      "kata.storage-mounts[0]": 1,
      "kata.storage-mounts[0].fs-type": 2,
      "kata.storage-mounts[1]": 3,
      "kata.storage-mounts[1].fs-type": 4,
      "kata.nic": 6,
      "kata.nic.device": 6,
      "kata.nic.address": 7,
    });
    const raw = locateTomlKeys(text, (k) => k.replace(/_/g, "-")).find((l) => pathKey(l.path) === "kata.storage-mounts[1].fs-type");
    expect(raw?.raw).toBe("fs_type");
  });

  it("handles escaped quotes, CRLF line ends and keys after comments", () => {
    const text = '[agent]\r\n# a comment with = and [brackets]\r\ntoken = "a\\"b = c"\r\nid = "x"\r\n';
    expect(parse(text)).toEqual({ agent: { token: 'a"b = c', id: "x" } });
    expect(lines(text)).toEqual({ agent: 1, "agent.token": 3, "agent.id": 4 });
  });
});
