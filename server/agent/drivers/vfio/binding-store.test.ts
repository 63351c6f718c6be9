import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BindingStore } from "./binding-store";

describe("BindingStore", () => {
  let dir = "";
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const store = () => new BindingStore((dir = mkdtempSync(path.join(os.tmpdir(), "binding-store-"))));
  const rec = { originalDriver: "nvidia", originalOverride: null, iommuGroup: 12, gpu: "0000:19:00.0", recordedAtMs: 1 };

  it("reads {} before anything was recorded and round-trips records", async () => {
    const s = store();
    expect(await s.load()).toEqual({});
    await s.save({ "0000:19:00.0": rec });
    expect(await new BindingStore(dir).load()).toEqual({ "0000:19:00.0": rec });
    expect(JSON.parse(readFileSync(s.file, "utf8")).version).toBe(1);
  });

  it("writes through a temp file and leaves none behind; an empty record set removes the file", async () => {
    const s = store();
    await s.save({ "0000:19:00.0": rec });
    expect(readdirSync(dir)).toEqual(["vfio-bindings.json"]);
    await s.save({});
    expect(existsSync(s.file)).toBe(false);
  });

  it("refuses a file it did not write instead of overwriting it", async () => {
    const s = store();
    writeFileSync(s.file, "{");
    await expect(s.load()).rejects.toMatchObject({ code: "PRECONDITION_FAILED", message: expect.stringMatching(/not valid JSON/) });
    writeFileSync(s.file, JSON.stringify({ version: 1, devices: { x: { originalDriver: 3 } } }));
    await expect(s.load()).rejects.toMatchObject({ code: "PRECONDITION_FAILED", message: expect.stringMatching(/devices\.x\.originalDriver/) });
  });
});
