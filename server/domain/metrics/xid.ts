/**
 * NVIDIA XID events: the driver's kernel-log report of a GPU error, e.g.
 *   NVRM: Xid (PCI:0000:3b:00): 79, pid=1234, name=python3, GPU has fallen off the bus.
 * `parseXidLine` decodes one log line in any of the shapes seen in real captures (dmesg with
 * ISO / ctime / monotonic timestamps, `dmesg -x` facility prefixes, /dev/kmsg records, syslog
 * and journalctl lines, drivers that print no pid/name, older drivers without "PCI:"), and
 * `XID_TABLE` says what a code means, how bad it is and what to do. Pure: no I/O.
 *
 * The table is written from NVIDIA's public Xid documentation ("Xid Errors" in the GPU deployment
 * and management documentation, and its Xid catalog for Ampere and newer): names, likely causes
 * and NVIDIA's recommended resolution, mapped onto the actions Hypercell can take.
 */
import { normalizePciAddress } from "./pci-address.ts";

export type XidSeverity = "info" | "warning" | "critical";

/**
 * What an operator should do, in Hypercell's terms. For a passthrough GPU "reset-gpu" means: end
 * the session's VM, reset the device (function-level or bus reset on the host) before the GPU is
 * placed again; "reboot-host" means the device is gone from the host's view until a reboot.
 */
export type XidAction = "none" | "restart-workload" | "reset-gpu" | "reboot-host" | "service-gpu";

export interface XidInfo {
  code: number;
  name: string;
  severity: XidSeverity;
  action: XidAction;
  /** Keep the GPU out of placement until an admin has reset or inspected it. */
  quarantine: boolean;
  /** Likely causes, as NVIDIA lists them. */
  causes: readonly ("application" | "driver" | "hardware" | "memory" | "bus" | "thermal" | "nvlink" | "firmware")[];
  /** One or two sentences: what happened and what to do. */
  guidance: string;
}

const entries: XidInfo[] = [
  { code: 8, name: "GPU stopped processing", severity: "warning", action: "restart-workload", quarantine: false, causes: ["driver", "application", "bus", "thermal"], guidance: "A channel timed out; restart the workload. Repeated occurrences point at the driver, PCIe or cooling." },
  { code: 13, name: "Graphics engine exception", severity: "warning", action: "restart-workload", quarantine: false, causes: ["application", "driver", "hardware"], guidance: "Usually the application (out-of-range address, illegal instruction); restart it. If it recurs with different applications, run DCGM diagnostics." },
  { code: 31, name: "GPU memory page fault", severity: "warning", action: "restart-workload", quarantine: false, causes: ["application", "driver"], guidance: "An illegal memory access by the application (MMU fault); debug the application unless the driver changed recently." },
  { code: 32, name: "Invalid or corrupted push buffer stream", severity: "warning", action: "restart-workload", quarantine: false, causes: ["driver", "memory", "bus"], guidance: "The driver received corrupt commands; check PCIe errors and system memory if it repeats." },
  { code: 38, name: "Driver firmware error", severity: "critical", action: "reset-gpu", quarantine: true, causes: ["driver", "firmware"], guidance: "Firmware on the GPU failed; reset the GPU and update the driver if it repeats." },
  { code: 43, name: "GPU stopped processing (channel reset)", severity: "info", action: "restart-workload", quarantine: false, causes: ["application"], guidance: "The driver reset one application's channel after a fault in that application; the GPU stays healthy." },
  { code: 44, name: "Graphics engine fault during context switch", severity: "warning", action: "restart-workload", quarantine: false, causes: ["driver"], guidance: "Restart the workload; a driver update may be needed if it repeats." },
  { code: 45, name: "Preemptive cleanup, due to previous errors", severity: "info", action: "none", quarantine: false, causes: ["driver"], guidance: "Informational: channels removed because of another error (often a DBE or a killed process); act on that error." },
  { code: 46, name: "GPU stopped processing", severity: "critical", action: "reset-gpu", quarantine: true, causes: ["driver", "hardware"], guidance: "The GPU stopped responding; drain, reset the GPU, and have it serviced if it repeats." },
  { code: 48, name: "Double-bit ECC error (DBE)", severity: "critical", action: "reset-gpu", quarantine: true, causes: ["hardware", "memory"], guidance: "An uncorrectable memory error; the workload on the GPU is lost. Drain and reset the GPU so the page is retired or the row remapped; frequent DBEs mean RMA." },
  { code: 61, name: "Internal micro-controller breakpoint/warning", severity: "critical", action: "reset-gpu", quarantine: true, causes: ["firmware", "driver"], guidance: "The GPU's power-management controller hit a breakpoint; report it and reset the GPU." },
  { code: 62, name: "Internal micro-controller halt", severity: "critical", action: "reset-gpu", quarantine: true, causes: ["firmware", "hardware", "thermal"], guidance: "The GPU's power-management controller halted; reset the GPU and report it." },
  { code: 63, name: "ECC page retirement or row-remapping recording event", severity: "warning", action: "reset-gpu", quarantine: false, causes: ["memory"], guidance: "A bad memory row was recorded for remapping (or a page for retirement); it takes effect at the next GPU reset, which can wait for a convenient time." },
  { code: 64, name: "ECC page retirement or row-remapper recording failure", severity: "critical", action: "reset-gpu", quarantine: true, causes: ["memory", "hardware"], guidance: "The driver could not record a bad row or page; reset the GPU now and have it serviced if it repeats." },
  { code: 68, name: "Video decoder (NVDEC0) exception", severity: "warning", action: "restart-workload", quarantine: false, causes: ["hardware", "driver"], guidance: "The video decoder failed; restart the workload." },
  { code: 69, name: "Graphics engine class error", severity: "warning", action: "restart-workload", quarantine: false, causes: ["hardware", "driver"], guidance: "The engine rejected a command class; restart the workload, check the driver if it repeats." },
  { code: 74, name: "NVLink error", severity: "critical", action: "reset-gpu", quarantine: true, causes: ["nvlink", "hardware"], guidance: "An NVLink link failed; reset the GPU(s) on the link, check link seating and run diagnostics if it repeats." },
  { code: 79, name: "GPU has fallen off the bus", severity: "critical", action: "reboot-host", quarantine: true, causes: ["hardware", "bus", "thermal", "driver"], guidance: "The GPU is no longer reachable over PCIe; drain the host, reboot it, and check power, seating and cooling before the GPU is used again." },
  { code: 92, name: "High single-bit ECC error rate", severity: "warning", action: "none", quarantine: false, causes: ["hardware", "memory"], guidance: "Correctable errors are arriving fast; watch the GPU and run field diagnostics." },
  { code: 94, name: "Contained ECC error", severity: "warning", action: "restart-workload", quarantine: false, causes: ["memory"], guidance: "An uncorrectable error was contained to one application, which must restart; other work continues. Reset the GPU at a convenient time so the row remap takes effect." },
  { code: 95, name: "Uncontained ECC error", severity: "critical", action: "reset-gpu", quarantine: true, causes: ["memory", "hardware"], guidance: "An uncorrectable error could not be contained; every workload on the GPU is affected. Drain and reset the GPU (reboot the host without MIG)." },
  { code: 109, name: "Context switch timeout", severity: "warning", action: "restart-workload", quarantine: false, causes: ["application", "driver", "hardware"], guidance: "A context did not switch out in time; restart the workload, reset the GPU if it repeats." },
  { code: 119, name: "GSP RPC timeout", severity: "critical", action: "reset-gpu", quarantine: true, causes: ["firmware", "driver", "hardware"], guidance: "The GPU System Processor stopped answering the driver; reset the GPU (or reboot the host)." },
  { code: 120, name: "GSP error", severity: "critical", action: "reset-gpu", quarantine: true, causes: ["firmware", "driver", "hardware"], guidance: "The GPU System Processor reported an error; reset the GPU." },
  { code: 121, name: "C2C link error", severity: "critical", action: "reset-gpu", quarantine: true, causes: ["hardware", "bus"], guidance: "The chip-to-chip link (Grace Hopper/Blackwell) reported an error; reset and have it serviced if it repeats." },
  { code: 140, name: "Unrecovered ECC error", severity: "critical", action: "reset-gpu", quarantine: true, causes: ["memory", "hardware"], guidance: "Uncorrectable memory errors prevented page offlining or row remapping; reset the GPU and have it serviced if it repeats." },
  { code: 154, name: "GPU recovery action changed", severity: "warning", action: "reset-gpu", quarantine: true, causes: ["driver", "hardware"], guidance: "The driver now asks for a recovery action (printed in the message: GPU reset, node reboot or drain and reset); follow it before placing work." },
];

export const XID_TABLE: ReadonlyMap<number, XidInfo> = new Map(entries.map((e) => [e.code, Object.freeze(e)]));

/** The table entry, or a cautious generic one for codes the table does not list. */
export function describeXid(code: number): XidInfo {
  return (
    XID_TABLE.get(code) ?? {
      code,
      name: `Xid ${code}`,
      severity: "warning",
      action: "none",
      quarantine: false,
      causes: [],
      guidance: "Not in Hypercell's table; look the code up in NVIDIA's Xid catalog.",
    }
  );
}

export interface XidEvent {
  xid: number;
  /** Canonical "dddd:bb:dd.f" (see pci-address.ts); the kernel prints no function, so ".0". */
  pciAddress: string;
  /** The address as printed inside the parentheses, e.g. "PCI:0000:19:00". */
  rawAddress: string;
  pid?: number;
  processName?: string;
  /** The driver's text after the code (and pid/name), e.g. "GPU has fallen off the bus." */
  message: string;
  /** The line's timestamp as printed, when it has one. */
  timestamp?: string;
  /** Epoch milliseconds, only when the timestamp names its time zone (ISO with offset or Z). */
  timestampMs?: number;
  /** Seconds since boot, for dmesg "[  201.650687]" and /dev/kmsg records. */
  uptimeSeconds?: number;
}

const XID_RE = /NVRM: Xid \(([^)]*)\): (\d+)(?:,\s?|\s*$)(.*)$/;
const PID_NAME_RE = /^pid=('?<unknown>'?|-?\d+|[^,]*),\s?(?:name=([^,]*?),\s?)?(.*)$/;
const ISO_RE = /(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:?\d{2})?/;
const CTIME_RE = /\[((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} \d{2}:\d{2}:\d{2} \d{4})\]/;
const MONO_RE = /\[\s*(\d+\.\d+)\]/;
const KMSG_RE = /^(\d+),(\d+),(\d+),[^;]*;/;
const SYSLOG_RE = /^((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} \d{2}:\d{2}:\d{2})\s/;

function readTimestamp(prefix: string, event: XidEvent): void {
  const iso = ISO_RE.exec(prefix);
  if (iso) {
    event.timestamp = iso[0];
    const [, date, time, frac, zone] = iso;
    if (zone !== undefined) {
      const ms = (frac ?? "").slice(0, 3).padEnd(3, "0");
      const z = zone === "Z" ? "Z" : zone.includes(":") ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
      const t = Date.parse(`${date}T${time}.${ms}${z}`);
      if (!Number.isNaN(t)) event.timestampMs = t;
    }
  } else {
    const ctime = CTIME_RE.exec(prefix);
    if (ctime) event.timestamp = ctime[1]!;
    else {
      const syslog = SYSLOG_RE.exec(prefix);
      if (syslog) event.timestamp = syslog[1]!;
    }
  }
  const mono = MONO_RE.exec(prefix);
  if (mono) event.uptimeSeconds = Number(mono[1]);
  else {
    const kmsg = KMSG_RE.exec(prefix);
    if (kmsg) event.uptimeSeconds = Number(kmsg[3]) / 1e6;
  }
}

/** Decodes one kernel-log line; null when the line is not an NVRM Xid report. Never throws. */
export function parseXidLine(line: string): XidEvent | null {
  const at = line.indexOf("NVRM: Xid (");
  if (at === -1) return null;
  const m = XID_RE.exec(line.slice(at));
  if (!m) return null;
  const rawAddress = m[1]!.trim();
  // "(PCI:0000:87:00)" or, on MIG and some drivers, extra tokens after the address.
  const pciAddress = normalizePciAddress(rawAddress.split(/\s+/)[0] ?? "");
  if (pciAddress === null) return null;
  const xid = Number(m[2]);
  let rest = (m[3] ?? "").trimEnd();
  const event: XidEvent = { xid, pciAddress, rawAddress, message: rest };
  const pn = PID_NAME_RE.exec(rest);
  if (pn) {
    const pid = pn[1]!.replace(/'/g, "");
    if (/^-?\d+$/.test(pid)) event.pid = Number(pid);
    const name = pn[2];
    if (name !== undefined && name !== "<unknown>" && name !== "") event.processName = name;
    rest = pn[3]!;
    event.message = rest;
  }
  readTimestamp(line.slice(0, at), event);
  return event;
}

export interface XidLogEvent extends XidEvent {
  /** 1-based line number in the log text. */
  line: number;
  /** From an earlier "NVRM: GPU at PCI:…: GPU-<uuid>" line for the same address, if any. */
  uuid?: string;
}

const GPU_AT_RE = /NVRM: GPU at (?:PCI:)?([0-9a-fA-F:.]+): (GPU-[0-9a-fA-F-]+)/;

/**
 * Every Xid event in a log, in order, with line numbers. The driver announces "GPU at PCI:… :
 * GPU-<uuid>" before a GPU's first Xid; those lines attach the UUID to later events.
 */
export function parseXidLog(text: string): XidLogEvent[] {
  const out: XidLogEvent[] = [];
  const uuids = new Map<string, string>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.endsWith("\r") ? lines[i]!.slice(0, -1) : lines[i]!;
    if (line.indexOf("NVRM: ") === -1) continue;
    const at = GPU_AT_RE.exec(line);
    if (at) {
      const pci = normalizePciAddress(at[1]!);
      if (pci !== null) uuids.set(pci, at[2]!);
      continue;
    }
    const event = parseXidLine(line);
    if (event === null) continue;
    const uuid = uuids.get(event.pciAddress);
    out.push(uuid === undefined ? { ...event, line: i + 1 } : { ...event, line: i + 1, uuid });
  }
  return out;
}

/**
 * The kernel line the driver would print, for simulations and tests:
 * `NVRM: Xid (PCI:0000:19:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.`
 */
export function formatXidLine(pciAddress: string, xid: number, message: string, proc?: { pid: number; name: string }): string {
  const pci = normalizePciAddress(pciAddress) ?? pciAddress;
  const kernelForm = pci.replace(/\.\d$/, ""); // the kernel omits the function
  const who = proc ? `pid=${proc.pid}, name=${proc.name}` : "pid='<unknown>', name=<unknown>";
  return `NVRM: Xid (PCI:${kernelForm}): ${xid}, ${who}, ${message}`;
}
