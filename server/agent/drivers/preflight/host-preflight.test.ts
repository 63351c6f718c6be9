import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildFakeSysfs, type FakeHostSpec, type FakePciFunction } from "../pci/fake-sysfs";
import type { PreflightCheck } from "../../host-services";
import { HostPreflight, parseIommuCmdline, physicalAddressBits, type PreflightKataConfig } from "./host-preflight";
import { REAL_HOST_FILES } from "./host-files";

const h100 = (address: string, parent: string, group: number): FakePciFunction => ({
  address,
  parent,
  vendor: "10de",
  device: "2330",
  class: "030200",
  driver: "vfio-pci",
  iommuGroup: group,
  bars: [
    { index: 0, start: "0x214042000000", size: "16M", type: "mem64-pref" },
    { index: 2, start: "0x210000000000", size: "128G", type: "mem64-pref" },
    { index: 4, start: "0x214000000000", size: "32M", type: "mem64-pref" },
  ],
});

const TWO_GPUS: FakeHostSpec = {
  hostname: "two-gpus",
  description: "two H100 behind one root port each",
  source: "hand-written for the preflight tests",
  iommu: { units: ["dmar0"] },
  devices: [
    { address: "0000:00:01.0", vendor: "8086", device: "352a", class: "060400", driver: "pcieport", iommuGroup: 0 },
    { address: "0000:00:02.0", vendor: "8086", device: "352a", class: "060400", driver: "pcieport", iommuGroup: 1 },
    h100("0000:01:00.0", "0000:00:01.0", 2),
    h100("0000:02:00.0", "0000:00:02.0", 3),
  ],
};

const CONTAINERD_V2 = `version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]
  runtime_type = "io.containerd.kata.v2"
  privileged_without_host_devices = true
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata.options]
    ConfigPath = "/opt/kata/share/defaults/kata-containers/configuration.toml"
`;

interface FakeHost {
  dir: string;
  files: { procRoot: string; sysfsRoot: string; devRoot: string; etcRoot: string };
  kata: PreflightKataConfig;
  close(): Promise<void>;
}

const tmpDirs: string[] = [];
const servers: net.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  for (const d of tmpDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function kataIn(dir: string, over: Partial<PreflightKataConfig> = {}): PreflightKataConfig {
  return {
    kernelPath: path.join(dir, "kata/vmlinux.container"),
    initrdPath: null,
    rootfsPath: path.join(dir, "kata/kata-containers.img"),
    sharedFs: "virtio-fs",
    virtiofsdPath: path.join(dir, "kata/virtiofsd"),
    containerdSocket: path.join(dir, "containerd.sock"),
    kataRuntimeClass: "kata",
    confidentialGuest: true,
    guestAttestation: "tdx",
    maxGpusPerVm: 8,
    ...over,
  };
}

/** An empty host: the four roots exist and hold nothing. */
function emptyHost(): FakeHost {
  const dir = mkdtempSync(path.join(os.tmpdir(), "preflight-"));
  tmpDirs.push(dir);
  const files = { procRoot: path.join(dir, "proc"), sysfsRoot: path.join(dir, "sys"), devRoot: path.join(dir, "dev"), etcRoot: path.join(dir, "etc") };
  for (const d of Object.values(files)) mkdirSync(d);
  return { dir, files, kata: kataIn(dir), close: async () => undefined };
}

/** A host where every check passes. */
async function goodHost(addressBits = 46): Promise<FakeHost> {
  const h = emptyHost();
  const { procRoot, sysfsRoot, devRoot, etcRoot } = h.files;
  writeFileSync(path.join(procRoot, "cpuinfo"), `processor\t: 0\nflags\t\t: fpu vme de pse vmx ept\naddress sizes\t: ${addressBits} bits physical, 57 bits virtual\n`);
  writeFileSync(path.join(procRoot, "cmdline"), "BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=on iommu=pt\n");
  writeFileSync(path.join(procRoot, "modules"), "vfio_pci 16384 0 - Live 0x0\nvfio_iommu_type1 45056 0 - Live 0x0\nvfio 45056 2 vfio_pci,vfio_iommu_type1, Live 0x0\n");
  writeFileSync(path.join(procRoot, "meminfo"), "MemTotal: 2113929216 kB\nHugePages_Total:    1024\nHugepagesize:    1048576 kB\n");
  buildFakeSysfs(TWO_GPUS, sysfsRoot);
  mkdirSync(path.join(sysfsRoot, "module/vhost_vsock"), { recursive: true }); // built in: only in /sys/module
  mkdirSync(path.join(sysfsRoot, "module/kvm_intel/parameters"), { recursive: true });
  writeFileSync(path.join(sysfsRoot, "module/kvm_intel/parameters/tdx"), "Y\n");
  writeFileSync(path.join(devRoot, "kvm"), "");
  mkdirSync(path.join(etcRoot, "containerd"));
  writeFileSync(path.join(etcRoot, "containerd/config.toml"), CONTAINERD_V2);
  mkdirSync(path.join(h.dir, "kata"));
  writeFileSync(h.kata.kernelPath, "kernel");
  writeFileSync(h.kata.rootfsPath, "rootfs");
  writeFileSync(h.kata.virtiofsdPath, "#!/bin/sh\n");
  chmodSync(h.kata.virtiofsdPath, 0o755);
  const server = net.createServer((s) => s.destroy());
  servers.push(server);
  await new Promise<void>((r) => server.listen(h.kata.containerdSocket, r));
  return h;
}

const byId = (checks: PreflightCheck[]) => new Map(checks.map((c) => [c.id, c]));

describe("HostPreflight", () => {
  it("passes every check on a host that has everything", async () => {
    const h = await goodHost();
    const checks = await new HostPreflight({ kata: h.kata, files: h.files }).run();
    expect(checks.filter((c) => c.status !== "pass").map((c) => `${c.id}: ${c.evidence}`)).toEqual([]);
    const c = byId(checks);
    expect(c.get("iommu")!.evidence).toMatch(/intel_iommu=on; 4 IOMMU groups/);
    expect(c.get("module-vhost-vsock")!.evidence).toMatch(/module\/vhost_vsock exists/);
    expect(c.get("kata-runtime")!.evidence).toMatch(/runtimes\.kata .*io\.containerd\.kata\.v2/);
    expect(c.get("gpu-bars")!.evidence).toMatch(/2 largest GPUs .* need 256\.1 GiB .* 46-bit/);
    expect(checks.map((x) => x.id)).toContain("confidential-computing");
  });

  it("fails an empty host with evidence, fatally where the BEP says so, without throwing", async () => {
    const h = emptyHost();
    const c = byId(await new HostPreflight({ kata: h.kata, files: h.files, connectTimeoutMs: 500 }).run());
    const fatal = ["kvm", "iommu", "module-vfio", "module-vfio-pci", "module-vfio-iommu-type1", "module-vhost-vsock", "containerd-socket", "kata-runtime", "guest-kernel", "guest-image", "virtiofsd"];
    for (const id of fatal) expect(c.get(id), id).toMatchObject({ status: "fail", fatal: true });
    expect(c.get("kvm")!.evidence).toMatch(/kvm does not exist/);
    expect(c.get("iommu")!.evidence).toMatch(/neither intel_iommu=on nor amd_iommu=on; 0 IOMMU groups/);
    expect(c.get("containerd-socket")!.evidence).toMatch(/cannot connect to .*containerd\.sock \(ENOENT\)/);
    expect(c.get("kata-runtime")!.evidence).toMatch(/config\.toml: does not exist/);
    expect(c.get("confidential-computing")).toMatchObject({ status: "fail", fatal: false, evidence: expect.stringMatching(/tdx does not exist/) });
    expect(c.get("hugepages")!.status).toBe("warn");
    expect(c.get("cpu-virtualization")).toMatchObject({ status: "fail", fatal: false });
    for (const check of c.values()) if (check.status !== "pass") expect(check.fix, check.id).not.toBe("");
  });

  it("reports /dev/kvm that cannot be opened read-write, and nested KVM without CPU flags as a warning", async () => {
    const h = await goodHost();
    rmSync(path.join(h.files.devRoot, "kvm"));
    mkdirSync(path.join(h.files.devRoot, "kvm")); // opening a directory read-write fails (EISDIR)
    writeFileSync(path.join(h.files.procRoot, "cpuinfo"), "flags\t\t: fpu vme\naddress sizes\t: 46 bits physical, 48 bits virtual\n");
    const c = byId(await new HostPreflight({ kata: h.kata, files: h.files }).run());
    expect(c.get("kvm")).toMatchObject({ status: "fail", evidence: expect.stringMatching(/cannot be opened read-write \(EISDIR\)/) });
    expect(c.get("cpu-virtualization")!.status).toBe("warn");
  });

  it("finds Kata under containerd 2's layout and drop-in imports, and names a runtime-class mismatch", async () => {
    const h = await goodHost();
    const conf = path.join(h.files.etcRoot, "containerd/config.toml");
    writeFileSync(conf, `version = 3\nimports = ["conf.d/kata.toml"]\n`);
    mkdirSync(path.join(h.files.etcRoot, "containerd/conf.d"));
    writeFileSync(path.join(h.files.etcRoot, "containerd/conf.d/kata.toml"), `[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.kata-qemu]\nruntime_type = "io.containerd.kata-qemu.v2"\n[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.kata]\nruntime_type = "io.containerd.kata.v2"\n`);
    expect(byId(await new HostPreflight({ kata: h.kata, files: h.files }).run()).get("kata-runtime")!.status).toBe("pass");
    const other = byId(await new HostPreflight({ kata: { ...h.kata, kataRuntimeClass: "kata-clh" }, files: h.files }).run()).get("kata-runtime")!;
    expect(other).toMatchObject({ status: "fail", fatal: true });
    expect(other.evidence).toMatch(/registered as "kata-qemu", "kata", but \[kata\] kata-runtime-class is "kata-clh"/);
  });

  it("judges GPU BARs against the physical address space", async () => {
    const status = async (bits: number) => byId(await new HostPreflight({ kata: (await goodHost(bits)).kata, files: tmpFilesOfLast() }).run()).get("gpu-bars")!;
    expect((await status(40)).status).toBe("pass");
    expect((await status(39)).status).toBe("warn");
    expect(await status(38)).toMatchObject({ status: "fail", fatal: false, evidence: expect.stringMatching(/cannot map them/) });
  });

  it("uses initrd-path when set, and skips virtiofsd for virtio-9p", async () => {
    const h = await goodHost();
    const c = byId(await new HostPreflight({ kata: { ...h.kata, initrdPath: path.join(h.dir, "nope.initrd"), sharedFs: "virtio-9p", virtiofsdPath: "/nonexistent" }, files: h.files }).run());
    expect(c.get("guest-image")).toMatchObject({ title: "Guest initrd readable", status: "fail", evidence: expect.stringMatching(/initrd-path/) });
    expect(c.get("virtiofsd")).toMatchObject({ status: "pass", fatal: false });
  });

  it("runs on this machine's real files without throwing", async () => {
    const checks = await new HostPreflight({ kata: kataIn("/nonexistent-hypercell"), files: REAL_HOST_FILES, connectTimeoutMs: 500 }).run();
    const iommu = byId(checks).get("iommu")!;
    const groups = existsSync("/sys/kernel/iommu_groups") ? readdirSync("/sys/kernel/iommu_groups").length : 0;
    if (groups === 0) expect(iommu).toMatchObject({ status: "fail", fatal: true, evidence: expect.stringMatching(/0 IOMMU groups/) });
    else expect(iommu.status).not.toBe("fail");
    for (const c of checks) expect(c.evidence.length, c.id).toBeGreaterThan(0);
  });
});

describe("kernel command line and cpuinfo parsing", () => {
  it("reads the IOMMU switches", () => {
    expect(parseIommuCmdline("root=/dev/sda amd_iommu=on iommu=pt")).toEqual({ on: "amd_iommu=on", passthrough: true, off: null });
    expect(parseIommuCmdline("intel_iommu=off")).toEqual({ on: null, passthrough: false, off: "intel_iommu=off" });
    expect(physicalAddressBits("address sizes\t: 52 bits physical, 57 bits virtual")).toBe(52);
    expect(physicalAddressBits("nothing")).toBeNull();
  });
});

function tmpFilesOfLast() {
  const dir = tmpDirs[tmpDirs.length - 1]!;
  return { procRoot: path.join(dir, "proc"), sysfsRoot: path.join(dir, "sys"), devRoot: path.join(dir, "dev"), etcRoot: path.join(dir, "etc") };
}
