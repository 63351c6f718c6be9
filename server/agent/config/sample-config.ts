// `hypercell-agent config sample`: a commented configuration with every key and its default, written
// from the same field table the validator uses, so the sample always parses and never goes stale.
import { AGENT_FIELDS, KATA_FIELDS, STORAGE_MOUNT_FIELDS, STORAGE_NIC_FIELDS } from "./agent-config";

function wrap(text: string, width = 98): string[] {
  const lines: string[] = [];
  let cur = "#";
  for (const word of text.split(/\s+/)) {
    if (cur.length + word.length + 1 > width && cur !== "#") {
      lines.push(cur);
      cur = "#";
    }
    cur += ` ${word}`;
  }
  lines.push(cur);
  return lines;
}

function section(fields: typeof AGENT_FIELDS): string[] {
  const out: string[] = [];
  for (const f of fields) {
    if (f.key === "storage-mounts" || f.key === "storage-nic") continue; // tables of their own, below
    out.push(...wrap(`${f.doc} Allowed: ${f.allowed}.`));
    out.push(f.sample === null ? `# ${f.key} = ${f.example ?? '""'}` : `${f.key} = ${f.sample}`);
    out.push("");
  }
  return out;
}

/** The sample file's text. */
export function renderSampleConfig(): string {
  const lines = [
    "# Hypercell host agent configuration (TOML).",
    "# Keys may be written with hyphens or underscores (default-vcpus or default_vcpus).",
    "# Check a file with: hypercell-agent config check /etc/hypercell/agent.toml",
    "",
    "[agent]",
    ...section(AGENT_FIELDS),
    "# Kata Containers settings (BEP-1051). Every key is shown with its default.",
    "[kata]",
    ...section(KATA_FIELDS),
    ...wrap(`${KATA_FIELDS.find((f) => f.key === "storage-mounts")!.doc} Repeat the table for each volume.`),
    "# [[kata.storage-mounts]]",
    ...STORAGE_MOUNT_FIELDS.map((f) => `# ${f.key} = ${f.sample}    # ${f.allowed}`),
    "",
    ...wrap(KATA_FIELDS.find((f) => f.key === "storage-nic")!.doc),
    "# [kata.storage-nic]",
    ...STORAGE_NIC_FIELDS.map((f) => `# ${f.key} = ${f.sample}    # ${f.allowed}`),
    "",
  ];
  return lines.join("\n");
}
