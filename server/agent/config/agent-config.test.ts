import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "smol-toml";
import { afterAll, describe, expect, it } from "vitest";
import { isAppError } from "@/server/errors";
import { AGENT_FIELDS, KATA_FIELDS, loadAgentConfig, parseAgentConfig, SCHEMA_KEYS, STORAGE_MOUNT_FIELDS, STORAGE_NIC_FIELDS, type ConfigIssue } from "./agent-config";
import { renderSampleConfig } from "./sample-config";

const MINIMAL = '[agent]\ncontroller-address = "10.0.0.5:6100"\n';

function issuesOf(text: string): ConfigIssue[] {
  try {
    parseAgentConfig(text, { file: "agent.toml", hostname: "gpu-node-01" });
  } catch (err) {
    if (isAppError(err) && err.code === "CONFIG_INVALID") return (err.details as { issues: ConfigIssue[] }).issues;
    throw err;
  }
  throw new Error("expected the config to be refused");
}

describe("parseAgentConfig", () => {
  it("fills every [kata] key of BEP-1051 with its default from a minimal file", () => {
    const cfg = parseAgentConfig(MINIMAL, { hostname: "gpu-node-01" });
    expect(cfg.agent).toEqual({
      id: "i-gpu-node-01",
      backend: "kata",
      resourceGroup: "default",
      listenAddress: "0.0.0.0:6001",
      controllerAddress: "10.0.0.5:6100",
      joinToken: "",
      stateDir: "/var/lib/hypercell/agent",
      sysfsRoot: "/sys",
      heartbeatIntervalSec: 20,
      logLevel: "info",
      tls: null,
    });
    expect(cfg.kata).toEqual({
      hypervisor: "cloud-hypervisor",
      defaultVcpus: 2,
      defaultMemoryMb: 2048,
      vmOverheadMb: 64,
      kernelPath: "/opt/kata/share/kata-containers/vmlinux.container",
      initrdPath: null,
      rootfsPath: "/opt/kata/share/kata-containers/kata-containers.img",
      sharedFs: "virtio-fs",
      virtiofsdPath: "/opt/kata/libexec/virtiofsd",
      virtioFsCacheSizeMb: 0,
      networkModel: "tcfilter",
      enableIommu: true,
      hotplugVfio: "root-port",
      pcieSwitchPort: 8,
      containerdSocket: "/run/containerd/containerd.sock",
      kataRuntimeClass: "kata",
      confidentialGuest: true,
      guestAttestation: "tdx",
      kbsEndpoint: null,
      kernelModules: ["nfs", "nfsv4"],
      guestHookPath: "/usr/share/oci/hooks",
      maxGpusPerVm: 8,
      storageMounts: [],
      storageNic: null,
    });
    expect(cfg.warnings).toEqual([]);
  });

  it("accepts hyphen and underscore spellings alike, switch-port hotplug, storage mounts and a storage NIC", () => {
    const cfg = parseAgentConfig(
      [
        "[agent]",
        'id = "gpu-01"',
        'controller_address = "ctl.example:6100"',
        'listen-address = "unix:///run/hypercell/agent.sock"',
        "heartbeat_interval = 2.5",
        'tls-cert = "/etc/hypercell/agent.crt"',
        'tls_key = "/etc/hypercell/agent.key"',
        'tls-ca = "/etc/hypercell/ca.crt"',
        "[kata]",
        'hypervisor = "qemu"',
        "default_vcpus = 4",
        'hotplug_vfio = "switch-port"',
        "max_gpus_per_vm = 4",
        'kbs-endpoint = "https://kbs.internal:8080"',
        'initrd_path = "/opt/kata/initrd.img"',
        "[[kata.storage_mounts]]",
        'fs_type = "lustre"',
        'source = "lustre-mgs@tcp:/scratch"',
        'mountpoint = "/mnt/lustre"',
        "[kata.storage-nic]",
        'device = "ib0"',
        'address = "10.0.100.5/24"',
      ].join("\n"),
    );
    expect(cfg.agent).toMatchObject({ id: "gpu-01", controllerAddress: "ctl.example:6100", listenAddress: "unix:///run/hypercell/agent.sock", heartbeatIntervalSec: 2.5 });
    expect(cfg.agent.tls).toEqual({ certPath: "/etc/hypercell/agent.crt", keyPath: "/etc/hypercell/agent.key", caPath: "/etc/hypercell/ca.crt" });
    expect(cfg.kata).toMatchObject({ hypervisor: "qemu", defaultVcpus: 4, hotplugVfio: "switch-port", maxGpusPerVm: 4, kbsEndpoint: "https://kbs.internal:8080", initrdPath: "/opt/kata/initrd.img" });
    expect(cfg.kata.storageMounts).toEqual([{ fsType: "lustre", source: "lustre-mgs@tcp:/scratch", mountpoint: "/mnt/lustre", options: "" }]);
    expect(cfg.kata.storageNic).toEqual({ device: "ib0", address: "10.0.100.5/24", gateway: null });
  });

  it("names the key, its line, the value and what is allowed for a bad value", () => {
    const issues = issuesOf(`${MINIMAL}\n[kata]\nhypervisor = "kvm"\n`);
    expect(issues).toEqual([
      {
        key: "kata.hypervisor",
        line: 5,
        value: "kvm",
        allowed: 'one of "cloud-hypervisor", "qemu", "dragonball"',
        message: 'agent.toml:5: [kata] hypervisor = "kvm" is not allowed; allowed: one of "cloud-hypervisor", "qemu", "dragonball"',
      },
    ]);
  });

  it("reports a wrong type, with the spelling used in the file", () => {
    const [issue] = issuesOf(`${MINIMAL}[kata]\ndefault_vcpus = "4"\n`);
    expect(issue!.message).toBe('agent.toml:4: [kata] default_vcpus = "4" has the wrong type (a string); allowed: an integer from 1 to 256');
    expect(issuesOf(`${MINIMAL}[kata]\ndefault-memory-mb = 1024.5\n`)[0]!.message).toContain("is not a whole number");
    expect(issuesOf(`${MINIMAL}[kata]\nenable-iommu = "yes"\n`)[0]!.message).toBe('agent.toml:4: [kata] enable-iommu = "yes" has the wrong type (a string); allowed: true or false');
  });

  it("reports an unknown key with a suggestion, and an unknown section", () => {
    const issues = issuesOf(`${MINIMAL}[kata]\nhypervisr = "qemu"\n\n[container]\nscratch-root = "/tmp"\n`);
    expect(issues.map((i) => [i.key, i.line])).toEqual([
      ["kata.hypervisr", 4],
      ["container", 6],
    ]);
    expect(issues[0]!.message).toMatch(/^agent\.toml:4: \[kata\] hypervisr = "qemu" is an unknown key \(did you mean hypervisor\?\); allowed: the keys of \[kata\]: hypervisor, default-vcpus, /);
    expect(issues[1]!.message).toBe("agent.toml:6: [container] is not a section Hypercell knows; allowed: the sections [agent] and [kata]");
  });

  it("reports every problem at once, in line order, including array items and [[kata.storage-mounts]] entries", () => {
    const text = [
      "[agent]", // 1
      'backend = "docker"', // 2
      'controller-address = "ctl:99999"', // 3
      "[kata]", // 4
      'kernel-modules = ["nfs", "bad mod"]', // 5
      "max-gpus-per-vm = 0", // 6
      "[[kata.storage-mounts]]", // 7
      'fs-type = "nfs"', // 8
      'source = "srv:/a"', // 9
      'mountpoint = "/mnt/a"', // 10
      "[[kata.storage-mounts]]", // 11
      'fs-type = "ceph"', // 12
      'source = "srv:/b"', // 13
      'mountpoint = "mnt/b"', // 14
      "[kata.storage-nic]", // 15
      'device = "ib0"', // 16
      'address = "10.0.0.1"', // 17
    ].join("\n");
    expect(issuesOf(text).map((i) => i.message)).toEqual([
      'agent.toml:2: [agent] backend = "docker" is not allowed; allowed: only "kata" (Hypercell agents run Kata Containers VMs)',
      'agent.toml:3: [agent] controller-address = "ctl:99999" is not allowed; allowed: host:port of the controller\'s agent gateway, e.g. "10.0.0.5:6100" (required)',
      'agent.toml:5: [kata] kernel-modules item 2 = "bad mod" is not allowed; allowed: a list of module names (letters, digits, \'_\' or \'-\')',
      "agent.toml:6: [kata] max-gpus-per-vm = 0 is not allowed; allowed: an integer from 1 to 16",
      'agent.toml:12: [[kata.storage-mounts]] #2 fs-type = "ceph" is not allowed; allowed: one of "nfs", "nfs4", "lustre", "wekafs"',
      'agent.toml:14: [[kata.storage-mounts]] #2 mountpoint = "mnt/b" is not allowed; allowed: an absolute path, unique among storage-mounts',
      'agent.toml:17: [kata.storage-nic] address = "10.0.0.1" is not allowed; allowed: an IPv4 address with prefix length, e.g. "10.0.100.5/24"',
    ]);
  });

  it("reports missing required keys and sections at the line of their table", () => {
    expect(issuesOf('[agent]\nid = "x"\n').map((i) => i.message)).toEqual([
      'agent.toml:1: [agent] controller-address is missing; allowed: host:port of the controller\'s agent gateway, e.g. "10.0.0.5:6100" (required)',
    ]);
    expect(issuesOf("").map((i) => i.message)).toEqual(["agent.toml: [agent] section is missing; allowed: the [agent] section, with at least controller-address"]);
  });

  it("refuses the same key spelled both ways", () => {
    const [issue] = issuesOf(`${MINIMAL}[kata]\ndefault-vcpus = 2\ndefault_vcpus = 4\n`);
    expect(issue).toMatchObject({ key: "kata.default-vcpus", line: 5, value: 4 });
    expect(issue!.message).toContain("is given twice, as default-vcpus (line 4) and as default_vcpus");
  });

  it("checks settings that only make sense together", () => {
    expect(issuesOf(`${MINIMAL}[kata]\nhypervisor = "dragonball"\n`)[0]!.message).toBe(
      'agent.toml:4: [kata] hypervisor = "dragonball" cannot run confidential guests (dragonball has no TDX/SEV-SNP support); allowed: with confidential-guest = true: "cloud-hypervisor" or "qemu"',
    );
    expect(parseAgentConfig(`${MINIMAL}[kata]\nhypervisor = "dragonball"\nconfidential-guest = false\n`).warnings).toEqual([
      "[kata] confidential-guest = false: session VMs will not run in a TEE; BEP-1051 has no non-confidential mode, use this for development only",
    ]);
    expect(issuesOf(`${MINIMAL}[kata]\nhotplug-vfio = "switch-port"\npcie-switch-port = 0\n`)[0]!.key).toBe("kata.pcie-switch-port");
    expect(issuesOf(`${MINIMAL}tls-cert = "/a.crt"\n`).map((i) => i.key)).toEqual(["agent.tls-key", "agent.tls-ca"]);
    const dup = ['[[kata.storage-mounts]]\nfs-type = "nfs"\nsource = "a:/x"\nmountpoint = "/mnt/x"', '[[kata.storage-mounts]]\nfs-type = "nfs"\nsource = "b:/y"\nmountpoint = "/mnt/x"'].join("\n");
    expect(issuesOf(`${MINIMAL}${dup}\n`).map((i) => [i.key, i.line])).toEqual([["kata.storage-mounts[1].mountpoint", 10]]);
    expect(parseAgentConfig(`${MINIMAL}[kata]\nshared-fs = "virtio-9p"\n`).warnings).toEqual(['[kata] shared-fs = "virtio-9p" is deprecated; use "virtio-fs"']);
  });

  it("reports a TOML syntax error with its line and column", () => {
    const [issue] = issuesOf('[agent]\ncontroller-address = "a:1\n');
    expect(issue!.line).toBe(2);
    expect(issue!.message).toMatch(/^agent\.toml:2:\d+: not valid TOML: /);
  });
});

describe("loadAgentConfig", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "agent-config-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads a file and names it in errors", async () => {
    const file = path.join(dir, "agent.toml");
    writeFileSync(file, MINIMAL);
    expect((await loadAgentConfig(file)).agent.controllerAddress).toBe("10.0.0.5:6100");
    writeFileSync(file, `${MINIMAL}[kata]\nhypervisor = 1\n`);
    await expect(loadAgentConfig(file)).rejects.toThrow(`${file}:4: [kata] hypervisor = 1 has the wrong type (an integer)`);
    await expect(loadAgentConfig(path.join(dir, "missing.toml"))).rejects.toThrow("(no such file)");
  });
});

describe("sample configuration", () => {
  it("parses, and sets every key to its default", () => {
    const sample = renderSampleConfig();
    const cfg = parseAgentConfig(sample, { hostname: "h" });
    expect(cfg.kata).toEqual(parseAgentConfig(MINIMAL, { hostname: "h" }).kata);
    expect(cfg.warnings).toEqual([]);
  });

  it("mentions every key the schema accepts, and documents no key the schema lacks", () => {
    const sample = renderSampleConfig();
    const docs = { agent: AGENT_FIELDS, kata: KATA_FIELDS, "kata.storage-mounts": STORAGE_MOUNT_FIELDS, "kata.storage-nic": STORAGE_NIC_FIELDS };
    for (const [section, keys] of Object.entries(SCHEMA_KEYS)) {
      expect(docs[section as keyof typeof docs].map((f) => f.key).sort(), section).toEqual([...keys].sort());
      for (const key of keys) if (key !== "storage-mounts" && key !== "storage-nic") expect(sample, `${section}.${key}`).toMatch(new RegExp(`^#? ?${key} = `, "m"));
    }
    expect(sample).toContain("# [[kata.storage-mounts]]");
    expect(sample).toContain("# [kata.storage-nic]");
  });

  it("still parses with the commented storage tables uncommented", () => {
    const uncommented = renderSampleConfig()
      .split("\n")
      .map((l) => (/^# (\[\[?kata\.storage|fs-type|source|mountpoint|options|device|address|gateway)/.test(l) ? l.slice(2).replace(/\s+#.*$/, "") : l))
      .join("\n");
    expect(parse(uncommented)).toBeTruthy();
    const cfg = parseAgentConfig(uncommented, { hostname: "h" });
    expect(cfg.kata.storageMounts).toHaveLength(1);
    expect(cfg.kata.storageNic).toEqual({ device: "ib0", address: "10.0.100.5/24", gateway: "10.0.100.1" });
  });
});
