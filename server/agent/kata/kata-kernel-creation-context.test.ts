import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { parseEnvironTxt, parseResourceTxt } from "./config-files";
import { CONFIG_FILES, KataKernelCreationContext, type KernelCreationSpec } from "./kata-kernel-creation-context";
import { KATA_ANNOTATION } from "./kata-annotations";
import { LABEL, parseKernelLabels } from "./kernel-labels";
import { testConfig } from "./test-config";

const GIB = 2 ** 30;

function spec(over: Partial<KernelCreationSpec> = {}): KernelCreationSpec {
  return {
    sessionId: "sess-1",
    kernelId: "kern-1",
    clusterRole: "main",
    clusterIdx: 0,
    clusterHostname: "main1",
    clusterSize: 1,
    members: [{ hostname: "main1", address: null }],
    image: "ngc-pytorch:24.03",
    startupCommand: null,
    sessionType: "interactive",
    slots: { cpu: 16, memBytes: 128 * GIB },
    gpus: [
      { address: "0000:18:00.0", iommuGroup: 33 },
      { address: "0000:2a:00.0", iommuGroup: 51 },
    ],
    vfolders: [{ name: "data", hostPath: "/mnt/vfstore/6f/data", mountPath: "/home/work/data", readOnly: false }],
    environ: { HF_HOME: "/home/work/data/hf" },
    confidential: true,
    ...over,
  };
}

const tdx = testConfig('kbs-endpoint = "http://kbs.internal:8080"\nhotplug-vfio = "root-port"\nhypervisor = "qemu"');

describe("KataKernelCreationContext: rendered OCI spec for 2 GPUs in two IOMMU groups", () => {
  const ctx = new KataKernelCreationContext(tdx, spec(), { deviceNumbers: { "/dev/vfio/33": { major: 235, minor: 1 } } });

  it("has /dev/vfio/vfio and one device per group, char devices, with the cgroup rules to match", () => {
    expect(ctx.ociSpec.linux.devices).toEqual([
      { path: "/dev/vfio/vfio", type: "c", major: 10, minor: 196, fileMode: 0o666, uid: 0, gid: 0 },
      { path: "/dev/vfio/33", type: "c", major: 235, minor: 1, fileMode: 0o666, uid: 0, gid: 0 },
      { path: "/dev/vfio/51", type: "c", major: 0, minor: 0, fileMode: 0o666, uid: 0, gid: 0 },
    ]);
    expect(ctx.unresolvedDevices).toEqual(["/dev/vfio/51"]);
    expect(ctx.ociSpec.linux.resources.devices.map((d) => `${d.major}:${d.minor}`)).toEqual(["10:196", "235:1", "0:0"]);
  });

  it("sizes the VM by annotations alone: vCPUs and MiB of the request, no CPU or memory limit", () => {
    expect(ctx.annotations[KATA_ANNOTATION.defaultVcpus]).toBe("16");
    expect(ctx.annotations[KATA_ANNOTATION.defaultMemory]).toBe(String(128 * 1024));
    expect(ctx.ociSpec.linux.resources).not.toHaveProperty("memory");
    expect(ctx.ociSpec.linux.resources).not.toHaveProperty("cpu");
  });

  it("cold-plugs VFIO (no hot-plug into a TEE) on the configured port with one root port per device", () => {
    expect(ctx.annotations[KATA_ANNOTATION.coldPlugVfio]).toBe("root-port");
    expect(ctx.annotations).not.toHaveProperty(KATA_ANNOTATION.hotPlugVfio);
    expect(ctx.annotations[KATA_ANNOTATION.pcieRootPort]).toBe("2");
  });

  it("carries initdata pointing the attestation agent and CDH at the KBS", () => {
    const toml = gunzipSync(Buffer.from(ctx.annotations[KATA_ANNOTATION.ccInitData]!, "base64")).toString("utf8");
    expect(toml).toContain('version = "0.1.0"');
    expect(toml).toContain("[token_configs.kbs]\nurl = \"http://kbs.internal:8080\"");
    expect(toml).toContain("[kbc]\nname = 'cc_kbc'\nurl = \"http://kbs.internal:8080\"");
    expect(toml).not.toContain("policy.rego");
  });

  it("passes guest modules, hook path, DAX size and a create timeout that grows with GPUs", () => {
    expect(ctx.annotations[KATA_ANNOTATION.kernelModules]).toBe("nfs; nfsv4");
    expect(ctx.annotations[KATA_ANNOTATION.guestHookPath]).toBe("/usr/share/oci/hooks");
    expect(ctx.annotations[KATA_ANNOTATION.virtioFsCacheSize]).toBe("0");
    expect(ctx.annotations[KATA_ANNOTATION.createContainerTimeout]).toBe("540");
    expect(ctx.ociSpec.annotations).toEqual(ctx.annotations);
  });

  it("states what the runtime class must configure: a TEE, and the hypervisor annotations enabled", () => {
    expect(ctx.runtimeRequirements).toEqual([
      { option: "confidential_guest", value: "true", why: expect.any(String) },
      {
        option: "enable_annotations",
        value: "contains cc_init_data, cold_plug_vfio, default_memory, default_vcpus, guest_hook_path, pcie_root_port, virtio_fs_cache_size",
        why: expect.any(String),
      },
    ]);
    expect(ctx.runtimeClass).toBe("kata");
  });

  it("mounts only the config share, hosts and /tmp beyond the base mounts", () => {
    const custom = ctx.ociSpec.mounts.filter((m) => ["/home/config", "/etc/hosts", "/tmp"].includes(m.destination));
    expect(custom.map((m) => [m.destination, m.type])).toEqual([["/home/config", "bind"], ["/etc/hosts", "bind"], ["/tmp", "tmpfs"]]);
    const binds = ctx.ociSpec.mounts.filter((m) => m.type === "bind");
    expect(binds.every((m) => m.source.startsWith("/var/lib/hypercell/agent/scratch/kern-1/config"))).toBe(true);
    expect(ctx.ociSpec.mounts.some((m) => m.destination === "/home/work/data")).toBe(false);
  });

  it("labels the containerd objects so a restarted agent can rebuild its allocation", () => {
    expect(ctx.labels).toEqual({
      [LABEL.sessionId]: "sess-1",
      [LABEL.kernelId]: "kern-1",
      [LABEL.clusterRole]: "main",
      [LABEL.clusterIdx]: "0",
      [LABEL.pciAddresses]: "0000:18:00.0,0000:2a:00.0",
      [LABEL.iommuGroups]: "33,51",
      [LABEL.nicAddresses]: "",
    });
    expect(parseKernelLabels(ctx.labels)).toMatchObject({ pciAddresses: ["0000:18:00.0", "0000:2a:00.0"], iommuGroups: [33, 51] });
    expect(parseKernelLabels({ "io.containerd.other": "x" })).toBeNull();
  });

  it("writes the config files the runner and the guest hook read", () => {
    expect(Object.keys(ctx.files).sort()).toEqual(Object.values(CONFIG_FILES).sort());
    const env = new Map(parseEnvironTxt(ctx.files[CONFIG_FILES.environ]!));
    expect(env.get("BACKENDAI_SESSION_ID")).toBe("sess-1");
    expect(env.get("BACKENDAI_CLUSTER_HOST")).toBe("main1");
    expect(env.get("BACKENDAI_CONTAINER_BACKEND")).toBe("kata");
    expect(env.get("HF_HOME")).toBe("/home/work/data/hf");
    expect(env.has("LD_PRELOAD")).toBe(false);
    expect(ctx.ociSpec.process.env).toContain("HF_HOME=/home/work/data/hf");
    const resource = parseResourceTxt(ctx.files[CONFIG_FILES.resource]!);
    expect(resource.gpuAddresses).toEqual(["0000:18:00.0", "0000:2a:00.0"]);
    expect(resource.slots["cuda.device"]).toBe(2);
    const storage = JSON.parse(ctx.files[CONFIG_FILES.storageMounts]!);
    expect(storage.volumes[0].source).toBe("storage-server:/exports/vfstore/6f/data");
    expect(ctx.scratchDir).toBe("/var/lib/hypercell/agent/scratch/kern-1");
  });
});

describe("KataKernelCreationContext: other hosts and refusals", () => {
  it("hot-plugs on a non-confidential development host, and a switch-port host must configure enough switch ports", () => {
    const dev = testConfig('confidential-guest = false\nhotplug-vfio = "switch-port"');
    const ctx = new KataKernelCreationContext(dev, spec({ confidential: false, nics: [{ address: "0000:1b:00.0", iommuGroup: 35 }] }));
    expect(ctx.confidential).toBe(false);
    expect(ctx.annotations[KATA_ANNOTATION.hotPlugVfio]).toBe("switch-port");
    expect(ctx.annotations).not.toHaveProperty(KATA_ANNOTATION.ccInitData);
    expect(ctx.runtimeRequirements[0]).toMatchObject({ option: "pcie_switch_port", value: ">= 3" });
    expect(ctx.ociSpec.linux.devices.map((d) => d.path)).toEqual(["/dev/vfio/vfio", "/dev/vfio/33", "/dev/vfio/51", "/dev/vfio/35"]);
    expect(ctx.labels[LABEL.nicAddresses]).toBe("0000:1b:00.0");
  });

  it("gives a CPU-only kernel no VFIO devices or port annotations, and warns about a TEE without a KBS", () => {
    const ctx = new KataKernelCreationContext(testConfig(), spec({ gpus: [] }));
    expect(ctx.ociSpec.linux.devices).toEqual([]);
    expect(Object.keys(ctx.annotations).some((k) => k.endsWith("plug_vfio"))).toBe(false);
    expect(ctx.warnings[0]).toMatch(/without kata.kbs-endpoint/);
  });

  it("refuses what this host cannot run, saying why", () => {
    const three = [0, 1, 2].map((i) => ({ address: `0000:1${i}:00.0`, iommuGroup: 10 + i }));
    expect(() => new KataKernelCreationContext(testConfig("max-gpus-per-vm = 2"), spec({ gpus: three }))).toThrow(
      "3 GPUs asked for one VM; this agent's kata.max-gpus-per-vm is 2",
    );
    expect(() => new KataKernelCreationContext(testConfig("confidential-guest = false"), spec())).toThrow(/kata.confidential-guest = false/);
    expect(() => new KataKernelCreationContext(testConfig('hypervisor = "dragonball"'), spec())).toThrow(/dragonball/);
    expect(() => new KataKernelCreationContext(testConfig('hotplug-vfio = "no-port"'), spec())).toThrow(/"no-port", which turns VFIO off/);
    expect(() => new KataKernelCreationContext(testConfig("", ""), spec())).toThrow(/configures no \[\[kata.storage-mounts\]\]/);
  });

  it("refuses malformed requests", () => {
    const cfg = testConfig();
    const bad = (over: Partial<KernelCreationSpec>) => () => new KataKernelCreationContext(cfg, spec(over));
    expect(bad({ gpus: [{ address: "18:00.0", iommuGroup: 3 }] })).toThrow(/not a PCI address/);
    expect(bad({ gpus: [{ address: "0000:18:00.0", iommuGroup: 3 }, { address: "0000:19:00.0", iommuGroup: 3 }] })).toThrow(/both in IOMMU group 3/);
    expect(bad({ environ: { BACKENDAI_KERNEL_ID: "x" } })).toThrow(/BACKENDAI_KERNEL_ID is reserved/);
    expect(bad({ sessionType: "batch", startupCommand: " " })).toThrow("a batch session needs a startup command");
    expect(bad({ slots: { cpu: 1, memBytes: 64 * 2 ** 20 } })).toThrow(/below the 256 MiB/);
    expect(bad({ kernelId: "../etc" })).toThrow(/kernel id "..\/etc" is not an id/);
    expect(bad({ clusterHostname: "sub1" })).toThrow(/sub1 is not among the members/);
  });
});

describe("KataKernelCreationContext.writeFiles", () => {
  let dir: string | null = null;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = null;
  });

  it("writes every file under the scratch directory and nothing else", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "kata-ctx-"));
    const ctx = new KataKernelCreationContext(tdx, spec(), { scratchRoot: dir });
    const written = await ctx.writeFiles();
    expect(written).toHaveLength(5);
    expect((await readdir(path.join(dir, "kern-1", "config"))).sort()).toEqual(["environ.txt", "hosts", "intrinsic-ports.json", "resource.txt", "storage-mounts.json"]);
    expect(await readFile(path.join(dir, "kern-1", CONFIG_FILES.environ), "utf8")).toBe(ctx.files[CONFIG_FILES.environ]);
  });
});
