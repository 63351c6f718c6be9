import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { buildFakeSysfs, type FakeHostSpec } from "../pci/fake-sysfs";
import type { GpuBinder } from "../../host-services";
import { FakeKernel } from "./fake-kernel";
import { SysfsVfioBinder } from "./sysfs-vfio-binder";
import { runVfioBinderContract } from "./vfio-binder.contract";

// Compile-time check that the real driver still satisfies the interface.
const _check: (b: SysfsVfioBinder) => GpuBinder = (b) => b;
void _check;

// Short timeouts: the fake kernel answers within milliseconds, and the fault tests wait them out.
const TIMING = { timeoutMs: 300, pollMs: 5 };

// Building a 150-device tree takes over a second on a busy machine; copying a built one (links are
// relative) takes a tenth of that, and every test still gets a tree of its own.
const templates = new Map<string, string>();
const templateDir = mkdtempSync(path.join(os.tmpdir(), "vfio-binder-templates-"));
afterAll(() => rmSync(templateDir, { recursive: true, force: true }));

function freshTree(spec: FakeHostSpec, dest: string): void {
  let template = templates.get(spec.hostname);
  if (!template) {
    template = path.join(templateDir, spec.hostname);
    mkdirSync(template);
    buildFakeSysfs(spec, template);
    templates.set(spec.hostname, template);
  }
  execFileSync("cp", ["-a", template, dest]);
}

runVfioBinderContract("SysfsVfioBinder on a fake tree with FakeKernel", async (spec) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "vfio-binder-"));
  const sysfsRoot = path.join(dir, "sys");
  const stateDir = path.join(dir, "state");
  freshTree(spec, sysfsRoot);
  mkdirSync(stateDir);
  const kernel = new FakeKernel({ root: sysfsRoot }).start();
  const make = () => new SysfsVfioBinder({ sysfsRoot, stateDir, ...TIMING });
  return {
    binder: make(),
    restart: make,
    sysfsRoot,
    stateDir,
    kernel,
    cleanup: () => {
      kernel.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
