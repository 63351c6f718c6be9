import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { realFixture } from "@/test/fixtures";
import { normalizePciAddress } from "./pci-address";
import { XID_TABLE, describeXid, formatXidLine, parseXidLine, parseXidLog } from "./xid";

const xidDir = () => realFixture("xid-and-kernel-logs");
const read = (...parts: string[]) => readFileSync(path.join(xidDir(), ...parts), "utf8");

// An independent, deliberately simple reading of the fields every real line must yield.
const SIMPLE = /NVRM: Xid \(PCI:([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2})\): (\d+), /;

describe("parseXidLine on every real captured Xid line", () => {
  const lines = () => read("xid-lines-extracted.txt").split("\n").filter((l) => l !== "");

  it("decodes all of them, with the code, address and message the line carries", () => {
    const all = lines();
    expect(all.length).toBe(652);
    const codes = new Map<number, number>();
    for (const line of all) {
      const event = parseXidLine(line);
      const simple = SIMPLE.exec(line)!;
      expect(event, line).not.toBeNull();
      expect(event!.xid, line).toBe(Number(simple[2]));
      expect(event!.pciAddress, line).toBe(`${simple[1]}.0`);
      expect(event!.message.length, line).toBeGreaterThan(0);
      expect(line.endsWith(event!.message), line).toBe(true);
      expect(event!.message.startsWith("pid="), line).toBe(false);
      expect(event!.timestamp, line).toBeDefined();
      codes.set(event!.xid, (codes.get(event!.xid) ?? 0) + 1);
    }
    expect(Object.fromEntries(codes)).toEqual({ 13: 629, 43: 7, 48: 1, 63: 1, 94: 9, 119: 5 });
  });

  it("reads pid and process name, and leaves them out when the driver printed '<unknown>'", () => {
    const all = lines();
    const dbe = parseXidLine(all.find((l) => l.includes("): 48,"))!)!;
    expect(dbe).toMatchObject({ xid: 48, pciAddress: "0000:19:00.0", rawAddress: "PCI:0000:19:00" });
    expect(dbe.pid).toBeUndefined();
    expect(dbe.processName).toBeUndefined();
    expect(dbe.message).toBe("An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer at physAddr 0x12bac1c3e0 partition 2, subpartition 1.");
    const contained = parseXidLine(all.find((l) => l.includes("): 94, pid=1248209"))!)!;
    expect(contained).toMatchObject({ xid: 94, pid: 1248209, processName: "python3.10", message: "Ch 00000008" });
    const gsp = parseXidLine(all.find((l) => l.includes("): 119,"))!)!;
    expect(gsp).toMatchObject({ xid: 119, pciAddress: "0000:9b:00.0", pid: 2024380, processName: "nvidia-smi" });
    expect(gsp.message).toMatch(/^Timeout after 6s of waiting for RPC response from GPU4 GSP!/);
  });

  it("reads the three timestamp shapes of the captures", () => {
    const all = lines();
    const iso = parseXidLine(all.find((l) => l.startsWith("2024-11-15T12:02:03,470068"))!)!;
    expect(iso.timestamp).toBe("2024-11-15T12:02:03,470068+00:00");
    expect(iso.timestampMs).toBe(Date.UTC(2024, 10, 15, 12, 2, 3, 470));
    const dmesgX = parseXidLine(all.find((l) => l.startsWith("kern  :warn  :"))!)!;
    expect(dmesgX.timestampMs).toBe(Date.UTC(2025, 0, 21, 2, 21, 33, 498));
    const ctime = parseXidLine(all.find((l) => l.startsWith("[Sun Feb 23"))!)!;
    expect(ctime.timestamp).toBe("Sun Feb 23 16:24:18 2025");
    expect(ctime.timestampMs).toBeUndefined(); // local time of an unknown zone
  });
});

describe("parseXidLog over every real kernel/fabric-manager log", () => {
  it("finds exactly the lines that carry an Xid report and nothing else", () => {
    const dir = path.join(xidDir(), "gpud-testdata");
    let total = 0;
    for (const file of readdirSync(dir).filter((f) => f !== "SOURCE.txt")) {
      const text = readFileSync(path.join(dir, file), "utf8");
      const lines = text.split("\n");
      for (const [i, line] of lines.entries()) {
        const event = parseXidLine(line);
        if (line.includes("NVRM: Xid (")) expect(event, `${file}:${i + 1}`).not.toBeNull();
        else expect(event, `${file}:${i + 1}`).toBeNull();
      }
      const events = parseXidLog(text);
      expect(events.map((e) => e.line)).toEqual(lines.flatMap((l, i) => (l.includes("NVRM: Xid (") ? [i + 1] : [])));
      total += events.length;
    }
    expect(total).toBe(652);
  });

  it("attaches the UUID announced by 'NVRM: GPU at PCI:…' to later events of that GPU", () => {
    const events = parseXidLog(read("gpud-testdata", "dmesg-with-xid-119.log"));
    expect(events).toHaveLength(5);
    for (const e of events) expect(e).toMatchObject({ xid: 119, pciAddress: "0000:9b:00.0", uuid: "GPU-509665ad-b600-ac93-3616-d754b23d636d" });
  });
});

describe("parseXidLine on other shapes drivers and log tools print", () => {
  it.each([
    ["NVRM: Xid (PCI:0000:3b:00): 79, GPU has fallen off the bus.", { xid: 79, pciAddress: "0000:3b:00.0", message: "GPU has fallen off the bus." }],
    ["[ 5107.644336] NVRM: Xid (PCI:0000:03:00): 79, GPU has fallen off the bus.)", { xid: 79, uptimeSeconds: 5107.644336 }],
    ["NVRM: Xid (PCI:0000:10:1c): 63, pid=1896, Row Remapper: New row marked for remapping, reset gpu to activate.", { xid: 63, pid: 1896, pciAddress: "0000:10:1c.0", message: "Row Remapper: New row marked for remapping, reset gpu to activate." }],
    ["Jan 18 11:38:05 localhost kernel: [ 269.517039] NVRM: Xid (0000:01:00): 3, C 00000005 SC 00000007 M 00001ffc Data ffffffff", { xid: 3, pciAddress: "0000:01:00.0", timestamp: "Jan 18 11:38:05", uptimeSeconds: 269.517039, message: "C 00000005 SC 00000007 M 00001ffc Data ffffffff" }],
    ["4,1234,206764307,-;NVRM: Xid (PCI:0000:9b:00): 74, pid=77, name=nccl-tests, NVLink: fatal error detected on link 3", { xid: 74, pid: 77, processName: "nccl-tests", uptimeSeconds: 206.764307 }],
    ["2025-01-02T15:20:12+0800 host-1 kernel: NVRM: Xid (PCI:0000:b7:00): 95, pid='<unknown>', name=<unknown>, Uncontained: LTC TAG (0x2,0x0). RST: Yes, D-RST: No", { xid: 95, timestampMs: Date.UTC(2025, 0, 2, 7, 20, 12), message: "Uncontained: LTC TAG (0x2,0x0). RST: Yes, D-RST: No" }],
    ["NVRM: Xid (PCI:0000:87:00 GPU-I:04): 43, pid=5, name=python, Ch 00000010", { xid: 43, pciAddress: "0000:87:00.0", rawAddress: "PCI:0000:87:00 GPU-I:04" }],
    ["NVRM: Xid (PCI:0000:3b:00): 79", { xid: 79, message: "" }],
  ] as const)("%s", (line, expected) => {
    expect(parseXidLine(line)).toMatchObject(expected);
  });

  it.each([
    "NVRM: GPU at PCI:0000:9b:00: GPU-509665ad-b600-ac93-3616-d754b23d636d",
    "nvidia-nvswitch0: SXid (PCI:0000:05:00.0): 12028, Non-fatal, Link 33 egress non-posted PRIV error",
    "NVRM: Xid (PCI:zzzz): 79, nonsense",
    "NVRM: Xid (PCI:0000:3b:00): seventy-nine",
    "",
  ])("ignores %j", (line) => {
    expect(parseXidLine(line)).toBeNull();
  });

  it("never throws, whatever the line", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        parseXidLine(a);
        parseXidLine(`${a}NVRM: Xid (${b}`);
        parseXidLine(`NVRM: Xid (PCI:0000:01:00): 1${a}`);
      }),
    );
  });

  it("formats the driver's line so that it parses back", () => {
    const line = formatXidLine("00000000:3B:00.0", 79, "GPU has fallen off the bus.");
    expect(line).toBe("NVRM: Xid (PCI:0000:3b:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.");
    expect(parseXidLine(line)).toMatchObject({ xid: 79, pciAddress: "0000:3b:00.0", message: "GPU has fallen off the bus." });
    expect(parseXidLine(formatXidLine("0000:3b:00.0", 13, "Graphics SM Warp Exception", { pid: 9, name: "python3" }))).toMatchObject({ pid: 9, processName: "python3" });
  });
});

describe("XID_TABLE", () => {
  it("covers the codes operators meet most, with a severity and an action", () => {
    for (const code of [13, 31, 32, 38, 43, 45, 48, 61, 62, 63, 64, 68, 69, 74, 79, 92, 94, 95, 109, 119, 120, 140]) {
      const info = XID_TABLE.get(code);
      expect(info, `Xid ${code}`).toBeDefined();
      expect(info!.name.length).toBeGreaterThan(3);
      expect(info!.guidance.length).toBeGreaterThan(20);
    }
    expect(describeXid(48)).toMatchObject({ severity: "critical", action: "reset-gpu", quarantine: true });
    expect(describeXid(79)).toMatchObject({ name: "GPU has fallen off the bus", severity: "critical", action: "reboot-host", quarantine: true });
    expect(describeXid(94)).toMatchObject({ name: "Contained ECC error", severity: "warning", quarantine: false });
    expect(describeXid(95)).toMatchObject({ name: "Uncontained ECC error", severity: "critical", quarantine: true });
    expect(describeXid(74).causes).toContain("nvlink");
    expect(describeXid(45)).toMatchObject({ severity: "info", action: "none" });
  });

  it("gives a cautious generic entry for an unknown code", () => {
    expect(describeXid(9999)).toMatchObject({ code: 9999, severity: "warning", action: "none", quarantine: false });
  });

  it("only quarantines on critical codes", () => {
    for (const info of XID_TABLE.values()) if (info.quarantine) expect(info.severity).not.toBe("info");
  });
});

describe("normalizePciAddress", () => {
  it.each([
    ["PCI:0000:19:00", "0000:19:00.0"],
    ["00000000:1A:00.0", "0000:1a:00.0"],
    ["0000:3b:00.1", "0000:3b:00.1"],
    ["19:00.0", "0000:19:00.0"],
    ["10000:01:00.0", "00010000:01:00.0"],
  ])("%s -> %s", (raw, expected) => {
    expect(normalizePciAddress(raw)).toBe(expected);
  });

  it.each(["", "GPU-1234", "0000:19", "0000:19:00.9", "zz:00.0"])("refuses %j", (raw) => {
    expect(normalizePciAddress(raw)).toBeNull();
  });
});
