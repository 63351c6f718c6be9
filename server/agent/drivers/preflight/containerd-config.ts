// Finds the Kata runtime in containerd's configuration. containerd 1.x (config version 2) lists
// runtimes under plugins."io.containerd.grpc.v1.cri".containerd.runtimes, containerd 2.x (version 3)
// under plugins."io.containerd.cri.v1.runtime".containerd.runtimes; drop-in files named by `imports`
// add more. Rather than hard-code either layout, every `runtimes` table in the tree is searched.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "smol-toml";

export interface RuntimeEntry {
  /** The runtime's name (what a RuntimeClass handler or `ctr --runtime` refers to). */
  name: string;
  runtimeType: string | null;
  /** Dotted TOML path of the entry, for evidence. */
  at: string;
  file: string;
}

export interface ContainerdRuntimes {
  entries: RuntimeEntry[];
  /** Files read (main config first, then imports that exist). */
  files: string[];
  /** Files that could not be read or parsed, with why. */
  problems: string[];
}

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);

function collect(node: Table, trail: string[], file: string, out: RuntimeEntry[]) {
  for (const [key, value] of Object.entries(node)) {
    if (!isTable(value)) continue;
    if (key === "runtimes") {
      for (const [name, entry] of Object.entries(value)) {
        if (!isTable(entry)) continue;
        out.push({ name, runtimeType: typeof entry.runtime_type === "string" ? entry.runtime_type : null, at: [...trail, key, name].join("."), file });
      }
    } else {
      collect(value, [...trail, key.includes(".") ? JSON.stringify(key) : key], file, out);
    }
  }
}

/** Reads the config and its literal (non-glob) imports. Never throws: unreadable files are problems. */
export async function readContainerdRuntimes(configFile: string): Promise<ContainerdRuntimes> {
  const result: ContainerdRuntimes = { entries: [], files: [], problems: [] };
  const queue = [configFile];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    let doc: Table;
    try {
      doc = parse(await readFile(file, "utf8")) as Table;
    } catch (e) {
      const code = (e as { code?: string }).code;
      result.problems.push(`${file}: ${code === "ENOENT" ? "does not exist" : e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
      continue;
    }
    result.files.push(file);
    collect(doc, [], file, result.entries);
    const imports = Array.isArray(doc.imports) ? doc.imports.filter((i): i is string => typeof i === "string") : [];
    for (const imp of imports) {
      if (/[*?[]/.test(imp)) {
        result.problems.push(`${file}: import ${imp} is a glob pattern; preflight reads literal paths only`);
        continue;
      }
      queue.push(path.isAbsolute(imp) ? imp : path.join(path.dirname(file), imp));
    }
  }
  return result;
}
