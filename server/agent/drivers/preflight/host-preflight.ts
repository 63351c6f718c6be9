// Preflight on a real host: the checks BEP-1051 lists for a Kata GPU host (A.3 startup validation,
// A.4 host requirements), each with the evidence it read and the fix to apply. The agent refuses to
// start on a failed check marked fatal; the console shows the whole list.
//
// Fatal, as the BEP makes them fail-fast: KVM, IOMMU, the vfio and vhost_vsock modules, containerd's
// socket, the Kata runtime in containerd, the guest kernel and image, virtiofsd (when shared-fs is
// virtio-fs). Advisory (warn or non-fatal fail): CPU flags, iommu=pt, hugepages, the TEE for
// confidential guests (the agent can still serve inventory and binding without it), GPU BARs versus
// the physical address space.
import { constants } from "node:fs";
import { access, open, readdir, readFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import type { KataSection } from "../../config/agent-config";
import type { Preflight, PreflightCheck, PreflightStatus } from "../../host-services";
import { SysfsPciBus } from "../pci/sysfs-pci-bus";
import { isGpu } from "../../../domain/topology/pci-class";
import { readContainerdRuntimes } from "./containerd-config";
import { REAL_HOST_FILES, type HostFiles } from "./host-files";

export const KATA_RUNTIME_TYPE = "io.containerd.kata.v2";
export const REQUIRED_MODULES = ["vfio", "vfio_pci", "vfio_iommu_type1", "vhost_vsock"] as const;

/** The [kata] settings preflight looks at. */
export type PreflightKataConfig = Pick<
  KataSection,
  "kernelPath" | "initrdPath" | "rootfsPath" | "sharedFs" | "virtiofsdPath" | "containerdSocket" | "kataRuntimeClass" | "confidentialGuest" | "guestAttestation" | "maxGpusPerVm"
>;

export interface HostPreflightOptions {
  kata: PreflightKataConfig;
  /** Roots of /proc, /sys, /dev, /etc; defaults to the real ones. */
  files?: Partial<HostFiles>;
  /** containerd's config; default <etcRoot>/containerd/config.toml. */
  containerdConfig?: string;
  /** How long to wait for containerd's socket to accept. Default 2 s. */
  connectTimeoutMs?: number;
}

type CheckBody = Omit<PreflightCheck, "id" | "title" | "fatal"> & { fatal?: boolean };

interface CheckDef {
  id: string;
  title: string;
  fatal: boolean;
  run: () => Promise<CheckBody>;
}

const result = (status: PreflightStatus, evidence: string, fix = ""): CheckBody => ({ status, evidence, fix });

function errText(e: unknown): string {
  const code = (e as { code?: string }).code;
  return code ? code : e instanceof Error ? e.message : String(e);
}

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch {
    return null;
  }
}

async function listDir(dir: string): Promise<string[] | null> {
  try {
    return await readdir(dir);
  } catch {
    return null;
  }
}

function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}

/** What the kernel command line says about the IOMMU. */
export function parseIommuCmdline(cmdline: string): { on: string | null; passthrough: boolean; off: string | null } {
  const args = cmdline.trim().split(/\s+/);
  const on = args.find((a) => a === "intel_iommu=on" || a === "amd_iommu=on" || /^intel_iommu=.*\bon\b/.test(a)) ?? null;
  const off = args.find((a) => a === "intel_iommu=off" || a === "amd_iommu=off" || a === "iommu=off") ?? null;
  return { on, passthrough: args.includes("iommu=pt"), off };
}

/** Physical address bits from /proc/cpuinfo ("address sizes : 46 bits physical, 57 bits virtual"). */
export function physicalAddressBits(cpuinfo: string): number | null {
  const m = /address sizes\s*:\s*(\d+) bits physical/.exec(cpuinfo);
  return m ? Number(m[1]) : null;
}

export class HostPreflight implements Preflight {
  private readonly files: HostFiles;
  private readonly kata: PreflightKataConfig;
  private readonly containerdConfig: string;
  private readonly connectTimeoutMs: number;

  constructor(opts: HostPreflightOptions) {
    this.files = { ...REAL_HOST_FILES, ...opts.files };
    this.kata = opts.kata;
    this.containerdConfig = opts.containerdConfig ?? path.join(this.files.etcRoot, "containerd/config.toml");
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 2000;
  }

  /** Runs every check (in parallel). Never throws: a check that cannot run reports fail with why. */
  async run(): Promise<PreflightCheck[]> {
    return Promise.all(
      this.checks().map(async (c): Promise<PreflightCheck> => {
        try {
          const body = await c.run();
          return { id: c.id, title: c.title, fatal: body.fatal ?? c.fatal, status: body.status, evidence: body.evidence, fix: body.fix };
        } catch (e) {
          return { id: c.id, title: c.title, fatal: c.fatal, status: "fail", evidence: `the check could not run: ${e instanceof Error ? e.message : String(e)}`, fix: "see the evidence" };
        }
      }),
    );
  }

  /** The checks run() performs, in order, without running them (ids, titles, whether fatal). */
  catalog(): { id: string; title: string; fatal: boolean }[] {
    return this.checks().map(({ id, title, fatal }) => ({ id, title, fatal }));
  }

  private p(root: keyof HostFiles, rel: string): string {
    return path.join(this.files[root], rel);
  }

  private checks(): CheckDef[] {
    return [
      { id: "kvm", title: "KVM usable", fatal: true, run: () => this.kvm() },
      { id: "cpu-virtualization", title: "CPU virtualization (VT-x/AMD-V)", fatal: false, run: () => this.cpuVirt() },
      { id: "iommu", title: "IOMMU on", fatal: true, run: () => this.iommu() },
      { id: "iommu-passthrough", title: "IOMMU in pass-through mode (iommu=pt)", fatal: false, run: () => this.iommuPt() },
      ...REQUIRED_MODULES.map((m) => ({ id: `module-${m.replace(/_/g, "-")}`, title: `Kernel module ${m} loaded`, fatal: true, run: () => this.module(m) })),
      { id: "containerd-socket", title: "containerd socket reachable", fatal: true, run: () => this.containerdSocket() },
      { id: "kata-runtime", title: "Kata runtime registered with containerd", fatal: true, run: () => this.kataRuntime() },
      { id: "guest-kernel", title: "Guest kernel readable", fatal: true, run: () => this.readable(this.kata.kernelPath, "kernel-path", "the guest kernel (vmlinux) Kata boots") },
      {
        id: "guest-image",
        title: this.kata.initrdPath ? "Guest initrd readable" : "Guest rootfs image readable",
        fatal: true,
        run: () => (this.kata.initrdPath ? this.readable(this.kata.initrdPath, "initrd-path", "the guest initrd") : this.readable(this.kata.rootfsPath, "rootfs-path", "the guest rootfs image")),
      },
      { id: "virtiofsd", title: "virtiofsd executable", fatal: this.kata.sharedFs === "virtio-fs", run: () => this.virtiofsd() },
      { id: "hugepages", title: "Hugepages", fatal: false, run: () => this.hugepages() },
      { id: "confidential-computing", title: "TDX or SEV-SNP for confidential guests", fatal: false, run: () => this.tee() },
      { id: "gpu-bars", title: "GPU BARs fit the physical address space", fatal: false, run: () => this.bars() },
    ];
  }

  private async kvm(): Promise<CheckBody> {
    const dev = this.p("devRoot", "kvm");
    try {
      const fh = await open(dev, constants.O_RDWR);
      await fh.close();
      return result("pass", `${dev} opens read-write`);
    } catch (e) {
      const code = errText(e);
      if (code === "ENOENT") return result("fail", `${dev} does not exist`, "enable VT-x/AMD-V in the firmware and load kvm_intel or kvm_amd (modprobe kvm_intel)");
      return result("fail", `${dev} exists but cannot be opened read-write (${code})`, "run the agent as root or in the kvm group");
    }
  }

  private async cpuVirt(): Promise<CheckBody> {
    const file = this.p("procRoot", "cpuinfo");
    const cpuinfo = await readText(file);
    if (cpuinfo === null) return result("fail", `${file} cannot be read`, "check that /proc is mounted");
    const flags = new Set((/^flags\s*:(.*)$/m.exec(cpuinfo)?.[1] ?? "").trim().split(/\s+/));
    const found = ["vmx", "svm"].filter((f) => flags.has(f));
    if (found.length) return result("pass", `${file} lists ${found.join(", ")}`);
    const kvm = await access(this.p("devRoot", "kvm")).then(
      () => true,
      () => false,
    );
    if (kvm) {
      return result("warn", `${file} lists neither vmx nor svm, but ${this.p("devRoot", "kvm")} exists (nested or para-virtualized KVM: VMs run, more slowly)`, "on bare metal, enable VT-x/AMD-V in the firmware");
    }
    return result("fail", `${file} lists neither vmx nor svm`, "enable VT-x (Intel) or AMD-V/SVM (AMD) in the firmware");
  }

  private async iommu(): Promise<CheckBody> {
    const cmdFile = this.p("procRoot", "cmdline");
    const cmdline = (await readText(cmdFile)) ?? "";
    const cmd = parseIommuCmdline(cmdline);
    const groups = (await listDir(this.p("sysfsRoot", "kernel/iommu_groups"))) ?? [];
    const units = (await listDir(this.p("sysfsRoot", "class/iommu"))) ?? [];
    const evidence = [
      `kernel command line ${cmd.on ? `has ${cmd.on}` : "has neither intel_iommu=on nor amd_iommu=on"}${cmd.off ? ` and ${cmd.off}` : ""}`,
      `${groups.length} IOMMU group${groups.length === 1 ? "" : "s"} under ${this.p("sysfsRoot", "kernel/iommu_groups")}`,
      `${units.length} IOMMU unit${units.length === 1 ? "" : "s"} in ${this.p("sysfsRoot", "class/iommu")}`,
    ].join("; ");
    const fix = "enable VT-d (Intel) or AMD-Vi/IOMMU (AMD) in the firmware and boot with intel_iommu=on iommu=pt (Intel) or amd_iommu=on iommu=pt (AMD)";
    if (groups.length > 0 && units.length > 0) return result("pass", evidence);
    if (groups.length > 0) return result("warn", `${evidence} (groups without units: an unusual kernel)`, fix);
    return result("fail", evidence, fix);
  }

  private async iommuPt(): Promise<CheckBody> {
    const cmdFile = this.p("procRoot", "cmdline");
    const cmdline = await readText(cmdFile);
    if (cmdline === null) return result("warn", `${cmdFile} cannot be read`, "check that /proc is mounted");
    if (parseIommuCmdline(cmdline).passthrough) return result("pass", "kernel command line has iommu=pt");
    return result(
      "warn",
      "kernel command line lacks iommu=pt: host devices go through DMA translation (slower I/O; GPUDirect RDMA wants pass-through)",
      "add iommu=pt to the kernel command line (GRUB_CMDLINE_LINUX) and reboot",
    );
  }

  private async module(name: string): Promise<CheckBody> {
    const modules = await readText(this.p("procRoot", "modules"));
    if (modules !== null && new RegExp(`^${name}\\s`, "m").test(modules)) return result("pass", `${name} is in ${this.p("procRoot", "modules")}`);
    // Built-in modules are not in /proc/modules but do appear under /sys/module.
    const sysDir = this.p("sysfsRoot", `module/${name}`);
    if ((await listDir(sysDir)) !== null) return result("pass", `${sysDir} exists (built in or loaded)`);
    return result(
      "fail",
      `${name} is neither in ${this.p("procRoot", "modules")}${modules === null ? " (unreadable)" : ""} nor under ${this.p("sysfsRoot", "module")}`,
      `modprobe ${name}, and add it to /etc/modules-load.d/ so it loads at boot`,
    );
  }

  private containerdSocket(): Promise<CheckBody> {
    const sock = this.kata.containerdSocket;
    return new Promise((resolve) => {
      const s = net.connect({ path: sock });
      const done = (body: CheckBody) => {
        clearTimeout(timer);
        s.destroy();
        resolve(body);
      };
      const timer = setTimeout(() => done(result("fail", `connecting to ${sock} did not finish within ${this.connectTimeoutMs} ms`, "check that containerd is running and not hung (systemctl status containerd)")), this.connectTimeoutMs);
      s.once("connect", () => done(result("pass", `connected to ${sock}`)));
      s.once("error", (e) =>
        done(result("fail", `cannot connect to ${sock} (${errText(e)})`, errText(e) === "EACCES" ? "run the agent as root or give it access to the socket" : "start containerd (systemctl enable --now containerd) or set [kata] containerd-socket")),
      );
    });
  }

  private async kataRuntime(): Promise<CheckBody> {
    const want = this.kata.kataRuntimeClass;
    const found = await readContainerdRuntimes(this.containerdConfig);
    const sample = `[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.${want}] runtime_type = "${KATA_RUNTIME_TYPE}", privileged_without_host_devices = true, and its options ConfigPath = "/opt/kata/share/defaults/kata-containers/configuration.toml"`;
    const read = found.files.length ? `read ${found.files.join(", ")}` : "no containerd config could be read";
    const problems = found.problems.length ? `; ${found.problems.join("; ")}` : "";
    const named = found.entries.find((e) => e.name === want);
    if (named && named.runtimeType === KATA_RUNTIME_TYPE) return result("pass", `${named.at} in ${named.file} has runtime_type = "${KATA_RUNTIME_TYPE}"${problems}`);
    if (named) return result("fail", `${named.at} in ${named.file} has runtime_type = ${JSON.stringify(named.runtimeType)}, not "${KATA_RUNTIME_TYPE}"${problems}`, `set ${sample}; restart containerd`);
    const kata = found.entries.filter((e) => e.runtimeType?.startsWith("io.containerd.kata"));
    if (kata.length) {
      return result("fail", `${read}: Kata is registered as ${kata.map((e) => JSON.stringify(e.name)).join(", ")}, but [kata] kata-runtime-class is "${want}"${problems}`, `set [kata] kata-runtime-class = "${kata[0]!.name}", or rename the runtime to "${want}"`);
    }
    return result("fail", `${read}: no runtime named "${want}" with runtime_type "${KATA_RUNTIME_TYPE}"${problems}`, `install Kata Containers 3.x and add to containerd's config: ${sample}; restart containerd`);
  }

  private async readable(file: string, key: string, what: string): Promise<CheckBody> {
    try {
      const fh = await open(file, constants.O_RDONLY);
      const { size } = await fh.stat();
      await fh.close();
      return result("pass", `${file} is readable (${formatBytes(size)})`);
    } catch (e) {
      return result("fail", `${file} (${key}) cannot be read (${errText(e)})`, `install Kata Containers 3.x, which ships ${what}, or point [kata] ${key} at it`);
    }
  }

  private async virtiofsd(): Promise<CheckBody> {
    if (this.kata.sharedFs !== "virtio-fs") return result("pass", `not needed: [kata] shared-fs = "${this.kata.sharedFs}"`);
    const file = this.kata.virtiofsdPath;
    try {
      await access(file, constants.X_OK);
      return result("pass", `${file} is executable`);
    } catch (e) {
      return result("fail", `${file} (virtiofsd-path) is not executable (${errText(e)})`, "install Kata Containers 3.x (it ships virtiofsd) or point [kata] virtiofsd-path at it");
    }
  }

  private async hugepages(): Promise<CheckBody> {
    const file = this.p("procRoot", "meminfo");
    const meminfo = await readText(file);
    if (meminfo === null) return result("warn", `${file} cannot be read`, "check that /proc is mounted");
    const total = Number(/^HugePages_Total:\s*(\d+)/m.exec(meminfo)?.[1] ?? "0");
    const sizeKb = Number(/^Hugepagesize:\s*(\d+) kB/m.exec(meminfo)?.[1] ?? "0");
    if (total > 0) return result("pass", `${total} hugepages of ${formatBytes(sizeKb * 1024)} reserved (${formatBytes(total * sizeKb * 1024)})`);
    return result(
      "warn",
      `no hugepages reserved (HugePages_Total: 0${sizeKb ? `, Hugepagesize: ${formatBytes(sizeKb * 1024)}` : ""}): VM memory uses normal pages, which is slower for large GPU VMs and fails if Kata's enable_hugepages is set`,
      "reserve hugepages (e.g. hugepagesz=1G hugepages=N on the kernel command line) when enabling enable_hugepages in Kata's configuration",
    );
  }

  private async tee(): Promise<CheckBody> {
    if (!this.kata.confidentialGuest) return result("pass", "not needed: [kata] confidential-guest = false");
    const want = this.kata.guestAttestation;
    const file = want === "tdx" ? this.p("sysfsRoot", "module/kvm_intel/parameters/tdx") : this.p("sysfsRoot", "module/kvm_amd/parameters/sev_snp");
    const value = (await readText(file))?.trim();
    if (value === "Y" || value === "1") return result("pass", `${file} is ${value}`);
    const fix =
      want === "tdx"
        ? "use a TDX-capable Xeon (4th gen or later), enable TDX in the firmware and boot a TDX host kernel with kvm_intel.tdx=1"
        : "use an SEV-SNP-capable EPYC (Milan or later), enable SEV-SNP in the firmware and load kvm_amd with sev_snp=1";
    return result("fail", value === undefined ? `${file} does not exist: ${want === "tdx" ? "TDX" : "SEV-SNP"} is not available to KVM` : `${file} is ${value}`, `${fix}; or set [kata] confidential-guest = false (development only)`);
  }

  private async bars(): Promise<CheckBody> {
    const cpuFile = this.p("procRoot", "cpuinfo");
    const bits = physicalAddressBits((await readText(cpuFile)) ?? "");
    const devices = await new SysfsPciBus({ root: this.files.sysfsRoot }).listDevices().catch(() => null);
    if (devices === null) return result("warn", `cannot list PCI devices under ${this.files.sysfsRoot}`, "check the agent's sysfs-root");
    const perGpu = devices.filter(isGpu).map((d) => d.bars.filter((b) => b.kind !== "io").reduce((s, b) => s + b.sizeBytes, 0));
    if (perGpu.length === 0) return result("pass", "no GPUs on this host");
    if (bits === null) return result("warn", `${cpuFile} has no "address sizes" line`, "");
    const n = Math.min(perGpu.length, this.kata.maxGpusPerVm);
    const need = [...perGpu].sort((a, b) => b - a).slice(0, n).reduce((s, x) => s + x, 0);
    const space = 2 ** bits;
    const evidence = `the ${n} largest GPUs (max-gpus-per-vm = ${this.kata.maxGpusPerVm}) need ${formatBytes(need)} of MMIO for their BARs; the CPU has ${bits}-bit physical addresses (${formatBytes(space)})`;
    // The guest's firmware puts 64-bit BARs above RAM in the same physical space; leave it half.
    if (need * 2 <= space) return result("pass", evidence);
    const fix = "lower [kata] max-gpus-per-vm, or use CPUs with wider physical addressing; GPUs with resizable BARs can be set to smaller BAR1 sizes";
    if (need < space) return result("warn", `${evidence}: less than half is left for guest RAM and the firmware's own windows`, fix);
    return result("fail", `${evidence}: a VM with that many GPUs cannot map them`, fix);
  }
}
