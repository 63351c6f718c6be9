import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { realFixture } from "@/test/fixtures";
import { gpuMemoryBytes, listGpuModels, lookupGpuModel } from "./gpu-models";

describe("GPU model table", () => {
  it("covers the models the BEP's plugin must name", () => {
    const names = listGpuModels().map((m) => m.name);
    for (const wanted of [/V100/, /T4/, /^A10$/, /^A30$/, /^A40$/, /A100-SXM4-40GB/, /A100-SXM4-80GB/, /A100-PCIE-40GB/, /A100 80GB PCIe/,
      /H100 PCIe/, /H100 80GB HBM3/, /H100 NVL/, /^H200$/, /^B200$/, /^L4$/, /^L40$/, /^L40S$/, /RTX 6000 Ada/]) {
      expect(names.some((n) => wanted.test(n)), `no model matching ${wanted}`).toBe(true);
    }
  });

  it("has one entry per device ID, each 4 lowercase hex digits", () => {
    const ids = listGpuModels().map((m) => m.deviceId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{4}$/);
  });

  it("looks up by device ID in any case and answers null for unknown IDs", () => {
    expect(lookupGpuModel("2330")?.name).toBe("H100 80GB HBM3");
    expect(lookupGpuModel("26B1")?.name).toBe("RTX 6000 Ada Generation");
    expect(lookupGpuModel("ffff")).toBeNull();
    expect(lookupGpuModel(null)).toBeNull();
  });

  it("takes memory from the table, else from the largest BAR", () => {
    expect(gpuMemoryBytes(lookupGpuModel("2330"), 128 * 2 ** 30)).toBe(81559 * 2 ** 20);
    expect(gpuMemoryBytes(lookupGpuModel("2941"), 256 * 2 ** 30)).toBe(256 * 2 ** 30);
    expect(gpuMemoryBytes(null, 16 * 2 ** 30)).toBe(16 * 2 ** 30);
    expect(gpuMemoryBytes(null, null)).toBeNull();
  });

  it("agrees with every real nvidia-smi capture on device ID and framebuffer size", () => {
    // Plain-text `nvidia-smi -q` captures: "Device Id : 0x233010DE" … "FB Memory Usage / Total : 81559 MiB".
    const dirs = [realFixture("nvidia-smi", "thamada-captures"), realFixture("nvidia-smi", "gpud-testdata")];
    const seen = new Map<string, number>();
    for (const dir of dirs) {
      for (const f of readdirSync(dir)) {
        const text = readFileSync(path.join(dir, f), "utf8");
        for (const m of text.matchAll(/Device Id\s+: 0x([0-9A-F]{4})10DE[\s\S]*?FB Memory Usage\s*\n\s*Total\s+: (\d+) MiB/g)) {
          seen.set(m[1]!.toLowerCase(), Number(m[2]));
        }
      }
    }
    expect(seen.size).toBeGreaterThan(5);
    const captured = listGpuModels().filter((m) => m.memorySource === "capture");
    for (const [id, mib] of seen) {
      const model = lookupGpuModel(id);
      if (model?.memorySource === "capture") expect(model.memoryMiB, `device ${id}`).toBe(mib);
    }
    // Every "capture" figure in the table is backed by some capture (plain text or telegraf XML).
    const xmlDir = realFixture("nvidia-smi", "telegraf-nvidia-smi-xml");
    for (const f of readdirSync(xmlDir)) {
      const xml = readFileSync(path.join(xmlDir, f), "utf8");
      const id = /<pci_device_id>([0-9A-F]{4})10DE</.exec(xml)?.[1]?.toLowerCase();
      const mib = /<fb_memory_usage>\s*<total>(\d+) MiB/.exec(xml)?.[1];
      // The first <fb_memory_usage> of a MIG-enabled GPU belongs to a MIG slice, so plain-text captures win.
      if (id && mib && !seen.has(id)) seen.set(id, Number(mib));
    }
    for (const m of captured) {
      if (m.deviceId === "2237") continue; // A10G: the telegraf capture redacts its device ID; same board memory as the A10
      expect(seen.get(m.deviceId), `${m.name} (${m.deviceId}) is marked as captured`).toBe(m.memoryMiB);
    }
  });
});
