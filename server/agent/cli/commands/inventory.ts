// `hypercell-agent inventory`: what discovery sees on a host — every PCI function, the GPUs with their
// passthrough state, the IOMMU groups with their verdicts. Admins run it to debug a host; --json
// prints the stable format documented in docs/agent-inventory.md.
import { loadAgentConfig } from "../../config/agent-config";
import { buildFakeSysfs } from "../../drivers/pci/fake-sysfs";
import { readPciSnapshot } from "../../drivers/pci/pci-bus";
import { SysfsPciBus } from "../../drivers/pci/sysfs-pci-bus";
import { getSimHost, listSimHosts } from "../../sim/hosts";
import { buildInventory, summarizeInventory, type HostInventory } from "../../../domain/topology/inventory";
import { isAppError } from "../../../errors";

export const summary = "show the host's PCI devices, GPUs and IOMMU groups (--json for the stable format)";

export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

const USAGE = `usage: hypercell-agent inventory [--sysfs-root DIR | --sim HOSTNAME | --config FILE] [--json]

  --sysfs-root DIR   read DIR, laid out like /sys (default: /sys)
  --sim HOSTNAME     read a simulated host (${listSimHosts()
    .map((h) => h.hostname)
    .join(", ")})
  --config FILE      read the sysfs-root of an agent configuration file
  --json             print JSON (format: docs/agent-inventory.md)`;

interface Options {
  sysfsRoot?: string;
  sim?: string;
  config?: string;
  json: boolean;
}

function parseArgs(argv: string[]): Options | string {
  const opts: Options = { json: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[(i += 1)];
      if (v === undefined || v === "") throw new Error(`${flag} needs a value`);
      return v;
    };
    try {
      if (flag === "--json") opts.json = true;
      else if (flag === "--sysfs-root") opts.sysfsRoot = value();
      else if (flag === "--sim") opts.sim = value();
      else if (flag === "--config") opts.config = value();
      else if (flag === "--help" || flag === "-h") return "help";
      else return `unknown argument ${JSON.stringify(arg)}`;
    } catch (err) {
      return (err as Error).message;
    }
  }
  const sources = [opts.sysfsRoot, opts.sim, opts.config].filter((x) => x !== undefined);
  if (sources.length > 1) return "give only one of --sysfs-root, --sim and --config";
  return opts;
}

const GIB = 2 ** 30;
function bytes(n: number | null): string {
  if (n === null) return "-";
  return n >= GIB ? `${(n / GIB).toFixed(1)} GiB` : `${(n / 2 ** 20).toFixed(0)} MiB`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join("  ").trimEnd());
}

const dash = (v: string | number | null) => (v === null ? "-" : String(v));

/** The human-readable report: summary, GPUs with reasons, groups holding GPUs, every device, warnings. */
export function renderInventoryText(inv: HostInventory, source: string): string {
  const lines: string[] = [`source: ${source}`, summarizeInventory(inv)];
  lines.push(inv.iommuEnabled ? `IOMMU units: ${inv.iommuUnits.length > 0 ? inv.iommuUnits.join(", ") : "(none listed in class/iommu)"}` : "IOMMU: off");
  if (inv.gpus.length > 0) {
    lines.push("", "GPUs");
    const rows = [["ADDRESS", "MODEL", "MEMORY", "NUMA", "GROUP", "DRIVER", "PASSTHROUGH", "NICS"]];
    for (const g of inv.gpus) {
      const nics = g.nics.map((n) => `${n.address} (${n.link === "same-switch" ? "switch" : "root port"})`).join(", ");
      rows.push([g.address, g.model ?? `unknown 10de:${g.deviceId ?? "????"}`, bytes(g.memoryBytes), dash(g.numaNode), dash(g.iommuGroup), dash(g.driver), g.passthrough, nics || "-"]);
    }
    const rendered = table(rows);
    lines.push(rendered[0]!);
    inv.gpus.forEach((g, i) => {
      lines.push(rendered[i + 1]!);
      for (const r of g.reasons) lines.push(`    - ${r}`);
    });
    const groups = inv.iommuGroups.filter((grp) => inv.gpus.some((g) => g.iommuGroup === grp.id));
    if (groups.length > 0) {
      lines.push("", "IOMMU groups holding GPUs");
      lines.push(...table([["GROUP", "VERDICT", "DEVICES"], ...groups.map((grp) => [String(grp.id), grp.verdict, grp.devices.join(" ")])]));
    }
  }
  lines.push("", "PCI functions");
  lines.push(
    ...table([
      ["ADDRESS", "ID", "CLASS", "DRIVER", "NUMA", "GROUP", "PARENT"],
      ...inv.devices.map((d) => [d.address, `${d.vendorId ?? "????"}:${d.deviceId ?? "????"}`, d.classCode ?? "????", dash(d.driver), dash(d.numaNode), dash(d.iommuGroup), dash(d.parent)]),
    ]),
  );
  if (inv.warnings.length > 0) lines.push("", "Warnings", ...inv.warnings.map((w) => `  ${w}`));
  return `${lines.join("\n")}\n`;
}

/** The command with its output injected, for tests. Returns the exit code. */
export async function inventoryCommand(argv: string[], io: CommandIo): Promise<number> {
  const opts = parseArgs(argv);
  if (opts === "help") {
    io.out(`${USAGE}\n`);
    return 0;
  }
  if (typeof opts === "string") {
    io.err(`hypercell-agent inventory: ${opts}\n${USAGE}\n`);
    return 2;
  }

  let root = opts.sysfsRoot ?? "/sys";
  let source = root;
  let cleanup = () => {};
  try {
    if (opts.sim !== undefined) {
      const host = getSimHost(opts.sim);
      if (!host) {
        io.err(`hypercell-agent inventory: no simulated host ${JSON.stringify(opts.sim)}; known: ${listSimHosts().map((h) => h.hostname).join(", ")}\n`);
        return 2;
      }
      const tree = buildFakeSysfs(host);
      cleanup = tree.cleanup;
      root = tree.root;
      source = `simulated host ${host.hostname} (${host.description})`;
    } else if (opts.config !== undefined) {
      root = (await loadAgentConfig(opts.config)).agent.sysfsRoot;
      source = `${root} (sysfs-root of ${opts.config})`;
    }
    const inv = buildInventory(await readPciSnapshot(new SysfsPciBus({ root })));
    io.out(opts.json ? `${JSON.stringify(inv, null, 2)}\n` : renderInventoryText(inv, source));
    return 0;
  } catch (err) {
    if (isAppError(err)) {
      io.err(`hypercell-agent inventory: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    cleanup();
  }
}

export async function run(argv: string[]): Promise<number> {
  return inventoryCommand(argv, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
}
