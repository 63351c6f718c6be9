// Where each key of a TOML document is written, by line. TOML parsers return values without positions,
// and an error an admin can act on has to say "line 12", so this scans the text once more. It assumes
// the text already parsed (smol-toml ran first) and only needs to follow TOML's structure: table
// headers, dotted and quoted keys, strings of all four kinds, arrays and inline tables over many lines.

export type TomlPath = (string | number)[];

export interface KeyLocation {
  /** Path as the parser's object would have it: table names, keys, array indices. */
  path: TomlPath;
  /** The last key as written in the file (its spelling, before any normalisation). */
  raw: string;
  /** 1-based line of the key (or of the table header, or of an array element's first character). */
  line: number;
}

/** Locates every key, table header and array element. `normalizeKey` maps each key as written (e.g. `_`→`-`). */
export function locateTomlKeys(text: string, normalizeKey: (key: string) => string = (k) => k): KeyLocation[] {
  const out: KeyLocation[] = [];
  let i = 0;
  let line = 1;
  const arrayTableCounts = new Map<string, number>();

  const at = (s: string) => text.startsWith(s, i);
  const advance = (n = 1) => {
    for (let k = 0; k < n && i < text.length; k += 1) {
      if (text[i] === "\n") line += 1;
      i += 1;
    }
  };
  const skipSpaces = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t")) advance();
  };
  const skipComment = () => {
    if (text[i] === "#") while (i < text.length && text[i] !== "\n") advance();
  };
  const skipBlank = () => {
    for (;;) {
      const before = i;
      skipSpaces();
      skipComment();
      if (text[i] === "\n" || text[i] === "\r") advance();
      if (i === before) return;
    }
  };

  const readString = (): string => {
    if (at('"""') || at("'''")) {
      const quote = text.slice(i, i + 3);
      advance(3);
      const start = i;
      while (i < text.length && !at(quote)) advance(text[i] === "\\" && quote === '"""' ? 2 : 1);
      const value = text.slice(start, i);
      advance(3);
      while (text[i] === quote[0]) advance(); // up to two extra quotes may belong to the content
      return value;
    }
    const quote = text[i]!;
    advance();
    let value = "";
    while (i < text.length && text[i] !== quote && text[i] !== "\n") {
      if (quote === '"' && text[i] === "\\") {
        value += text.slice(i, i + 2);
        advance(2);
      } else {
        value += text[i];
        advance();
      }
    }
    advance();
    return quote === '"' ? safeJsonString(value) : value;
  };

  const readKey = (): string[] => {
    const parts: string[] = [];
    for (;;) {
      skipSpaces();
      if (text[i] === '"' || text[i] === "'") parts.push(readString());
      else {
        const start = i;
        while (i < text.length && /[A-Za-z0-9_-]/.test(text[i]!)) advance();
        if (i === start) break;
        parts.push(text.slice(start, i));
      }
      skipSpaces();
      if (text[i] !== ".") break;
      advance();
    }
    return parts;
  };

  const record = (path: TomlPath, raw: string, atLine: number) => out.push({ path, raw, line: atLine });
  // A dotted key (a.b.c = 1) also defines its prefixes (a, a.b) on that line.
  const recordKey = (table: TomlPath, key: string[], rawKey: string[], atLine: number) => {
    for (let n = 1; n <= key.length; n += 1) record([...table, ...key.slice(0, n)], rawKey[n - 1]!, atLine);
  };

  const skipValue = (path: TomlPath): void => {
    skipSpaces();
    const c = text[i];
    if (c === '"' || c === "'") {
      readString();
    } else if (c === "[") {
      advance();
      let index = 0;
      for (;;) {
        skipBlank();
        if (i >= text.length || text[i] === "]") break;
        record([...path, index], String(index), line);
        const before = i;
        skipValue([...path, index]);
        skipBlank();
        if (text[i] === ",") advance();
        else if (i === before) advance();
        index += 1;
      }
      advance();
    } else if (c === "{") {
      advance();
      for (;;) {
        skipBlank(); // TOML 1.1 allows inline tables over several lines
        if (i >= text.length || text[i] === "}") break;
        const keyLine = line;
        const rawKey = readKey();
        if (rawKey.length === 0) {
          advance();
          continue;
        }
        const key = rawKey.map(normalizeKey);
        recordKey(path, key, rawKey, keyLine);
        skipSpaces();
        if (text[i] === "=") advance();
        skipValue([...path, ...key]);
        skipBlank();
        if (text[i] === ",") advance();
      }
      advance();
    } else {
      while (i < text.length && !/[,\]}\n#]/.test(text[i]!)) advance();
    }
  };

  let table: TomlPath = [];
  for (;;) {
    skipBlank();
    if (i >= text.length) break;
    const headerLine = line;
    if (at("[[")) {
      advance(2);
      const rawKey = readKey();
      const key = rawKey.map(normalizeKey);
      skipSpaces();
      advance(2);
      const id = key.join("\u0000");
      const index = arrayTableCounts.get(id) ?? 0;
      arrayTableCounts.set(id, index + 1);
      if (index === 0) record(key, rawKey[rawKey.length - 1] ?? "", headerLine);
      table = [...key, index];
      record(table, String(index), headerLine);
    } else if (at("[")) {
      advance();
      const rawKey = readKey();
      const key = rawKey.map(normalizeKey);
      skipSpaces();
      advance();
      table = key;
      record(table, rawKey[rawKey.length - 1] ?? "", headerLine);
    } else {
      const rawKey = readKey();
      if (rawKey.length === 0) {
        advance();
        continue;
      }
      const key = rawKey.map(normalizeKey);
      recordKey(table, key, rawKey, headerLine);
      skipSpaces();
      if (text[i] === "=") advance();
      skipValue([...table, ...key]);
    }
  }
  return out;
}

function safeJsonString(escaped: string): string {
  try {
    return JSON.parse(`"${escaped}"`) as string;
  } catch {
    return escaped;
  }
}

/** Index of locations by path, joined with "." (array indices as [n]): `kata.storage-mounts[0].source`. */
export function pathKey(path: TomlPath): string {
  return path.map((p, n) => (typeof p === "number" ? `[${p}]` : n === 0 ? p : `.${p}`)).join("");
}

/** The first location recorded for each path. */
export function indexLocations(locations: readonly KeyLocation[]): Map<string, KeyLocation> {
  const map = new Map<string, KeyLocation>();
  for (const loc of locations) if (!map.has(pathKey(loc.path))) map.set(pathKey(loc.path), loc);
  return map;
}
