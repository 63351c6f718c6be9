// Makes a fake sysfs tree (fake-sysfs.ts) answer driver writes as Linux does, so the real
// SysfsVfioBinder can be tested on it and the simulated hosts of `npm start` can bind GPUs:
//
//   <dev>/driver_override        "vfio-pci" sets it, "\n" clears it; shown as "<name>\n" or "(null)\n"
//   drivers/<name>/unbind        <addr>: the device's `driver` link and drivers/<name>/<addr> go away
//   drivers/<name>/bind          <addr>: binds when the override names <name>, or none is set and
//                                <name> is the device's default driver (its ID table matches)
//   drivers_probe                <addr>: binds an unbound device to its override, else its default
//
// After handling a write it leaves the control file as the kernel shows it (bind/unbind/probe empty,
// driver_override as above). A device's default driver is the one it had when the kernel first saw the
// tree; that is kept in <root>/.fake-kernel.json so it survives agent restarts, as a real kernel's ID
// tables would. Writes are noticed through inotify (fs.watch) with a slow scan as a safety net.
//
// Fault injection: refuseUnbind (the write is answered, the device stays bound), hangOn (unbind, bind
// and probe of the device are never answered, as when a driver's remove blocks), failProbe (probe and
// bind leave the device unbound, as when the driver's probe fails).
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, symlinkSync, watch, writeFileSync, type FSWatcher } from "node:fs";
import path from "node:path";
import { isPciAddress } from "../../../domain/topology/pci-address";
import { VFIO_DRIVER } from "../../../domain/topology/passthrough";

export interface FakeKernelOptions {
  /** The fake tree's root (what is passed as sysfs root). */
  root: string;
  /** Drivers that are "loaded" besides those bound at start (their directories are created). Default ["vfio-pci"]. */
  loadDrivers?: string[];
  /** Period of the safety-net scan of every control file, ms. Default 250. */
  scanMs?: number;
}

export interface FakeKernelEvent {
  /** Control file, relative to the root. */
  file: string;
  written: string;
  /** What the kernel did: "bound 0000:19:00.0 to vfio-pci", "refused", "hung", "ignored: …". */
  result: string;
}

type Fault = "refuse-unbind" | "hang" | "fail-probe";

const DEFAULTS_FILE = ".fake-kernel.json";
const CONTROL_FILES = new Set(["bind", "unbind"]);

export class FakeKernel {
  readonly root: string;
  /** Every write the kernel answered, oldest first (kubelet-style call record for tests). */
  readonly events: FakeKernelEvent[] = [];
  private readonly loadDrivers: string[];
  private readonly scanMs: number;
  private readonly watchers: FSWatcher[] = [];
  private readonly watchedDirs = new Set<string>();
  private readonly faults = new Map<string, Set<Fault>>();
  /** Address → real device directory. */
  private devices = new Map<string, string>();
  private defaults: Record<string, string | null> = {};
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private again = false;

  constructor(opts: FakeKernelOptions) {
    this.root = opts.root;
    this.loadDrivers = opts.loadDrivers ?? [VFIO_DRIVER];
    this.scanMs = opts.scanMs ?? 250;
  }

  /** Starts answering writes. Throws the fs error when the root is not a sysfs tree. Idempotent. */
  start(): this {
    if (this.timer) return this;
    const devDir = path.join(this.root, "bus/pci/devices");
    this.devices = new Map(readdirSync(devDir).filter(isPciAddress).map((a) => [a, realpathSync(path.join(devDir, a))]));
    const saved = path.join(this.root, DEFAULTS_FILE);
    if (existsSync(saved)) {
      this.defaults = JSON.parse(readFileSync(saved, "utf8")) as Record<string, string | null>;
    } else {
      for (const a of this.devices.keys()) this.defaults[a] = this.driverOf(a);
      writeFileSync(saved, `${JSON.stringify(this.defaults, null, 2)}\n`);
    }
    for (const name of [...this.loadDrivers, ...Object.values(this.defaults).filter((d): d is string => d !== null)]) this.ensureDriver(name);
    this.watchDir(path.join(this.root, "bus/pci"));
    for (const dir of new Set(this.devices.values())) this.watchDir(dir);
    this.timer = setInterval(() => this.kick(), this.scanMs);
    this.timer.unref();
    this.kick();
    return this;
  }

  /** Stops answering; writes after this stay in their files unanswered. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const w of this.watchers.splice(0)) w.close();
    this.watchedDirs.clear();
  }

  /** Unbind writes for `address` are answered but the device stays bound. */
  refuseUnbind(address: string): void {
    this.addFault(address, "refuse-unbind");
  }

  /** Unbind, bind and probe writes for `address` are never answered (the binder's timeout fires). */
  hangOn(address: string): void {
    this.addFault(address, "hang");
  }

  /** Probe and bind leave `address` unbound, as a driver whose probe returns an error. */
  failProbe(address: string): void {
    this.addFault(address, "fail-probe");
  }

  /** Removes every injected fault. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** The driver `address` falls back to without an override (null when none claims it). */
  defaultDriver(address: string): string | null {
    return this.defaults[address] ?? null;
  }

  /**
   * Handles every pending write now and resolves when done (tests use it to avoid sleeping). Writes are
   * normally handled within a few milliseconds of the inotify event.
   */
  async settle(): Promise<void> {
    this.kick();
    while (this.busy) await new Promise((r) => setTimeout(r, 1));
  }

  private addFault(address: string, f: Fault) {
    let set = this.faults.get(address);
    if (!set) this.faults.set(address, (set = new Set()));
    set.add(f);
  }

  private has(address: string, f: Fault): boolean {
    return this.faults.get(address)?.has(f) ?? false;
  }

  private watchDir(dir: string) {
    if (this.watchedDirs.has(dir)) return;
    this.watchedDirs.add(dir);
    try {
      const w = watch(dir, { persistent: false }, () => this.kick());
      w.on("error", () => undefined); // the scan still covers this directory
      this.watchers.push(w);
    } catch {
      /* inotify unavailable or out of watches: the periodic scan answers, only slower */
    }
  }

  /** Runs one pass over the control files, coalescing bursts of events into one pass. */
  private kick() {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    try {
      do {
        this.again = false;
        this.pass();
      } while (this.again);
    } finally {
      this.busy = false;
    }
  }

  private read(file: string): string | null {
    try {
      return readFileSync(file, "utf8");
    } catch {
      return null;
    }
  }

  private pass() {
    for (const [address, dir] of this.devices) {
      const text = this.read(path.join(dir, "driver_override"));
      if (text === null || text === "") continue; // "" is a write in progress (O_TRUNC before write)
      const shown = this.overrideText(address, text);
      if (shown !== null) writeFileSync(path.join(dir, "driver_override"), shown);
    }
    const driversDir = path.join(this.root, "bus/pci/drivers");
    for (const name of readdirSync(driversDir)) {
      for (const f of CONTROL_FILES) {
        const file = path.join(driversDir, name, f);
        const text = this.read(file);
        if (!text) continue;
        const address = text.trim();
        if (f === "unbind" ? this.handleUnbind(name, address, file, text) : this.handleBind(name, address, file, text)) writeFileSync(file, "");
      }
    }
    const probe = path.join(this.root, "bus/pci/drivers_probe");
    const text = this.read(probe);
    if (text) {
      if (this.handleProbe(text.trim(), probe, text)) writeFileSync(probe, "");
    }
  }

  private record(file: string, written: string, result: string) {
    this.events.push({ file: path.relative(this.root, file), written, result });
  }

  /** Returns what the file should show after the write, or null when it already shows the kernel's form. */
  private overrideText(address: string, text: string): string | null {
    if (text === "(null)\n") return null;
    const value = text.trim();
    const canonical = value === "" ? "(null)\n" : `${value}\n`;
    if (text === canonical) return null; // what the kernel itself last wrote
    this.record(path.join(this.devices.get(address)!, "driver_override"), text, value === "" ? "override cleared" : `override set to ${value}`);
    return canonical;
  }

  private override(address: string): string | null {
    const text = this.read(path.join(this.devices.get(address)!, "driver_override"))?.trim() ?? "";
    return text === "" || text === "(null)" ? null : text;
  }

  private driverOf(address: string): string | null {
    try {
      return path.basename(readlinkSync(path.join(this.devices.get(address)!, "driver")));
    } catch {
      return null;
    }
  }

  private ensureDriver(name: string) {
    const dir = path.join(this.root, "bus/pci/drivers", name);
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true });
      for (const f of ["bind", "unbind", "new_id", "remove_id"]) writeFileSync(path.join(dir, f), "");
    }
    this.watchDir(dir);
  }

  /** Returns whether the write was answered (so the file is cleared). */
  private handleUnbind(driver: string, address: string, file: string, written: string): boolean {
    if (!this.devices.has(address)) return this.ignored(file, written, `no device ${address}`);
    if (this.has(address, "hang")) return this.hung(file, written);
    if (this.driverOf(address) !== driver) return this.ignored(file, written, `${address} is not bound to ${driver}`);
    if (this.has(address, "refuse-unbind")) {
      this.record(file, written, `refused: ${address} stays on ${driver}`);
      return true;
    }
    rmSync(path.join(this.devices.get(address)!, "driver"), { force: true });
    rmSync(path.join(this.root, "bus/pci/drivers", driver, address), { force: true });
    this.record(file, written, `unbound ${address} from ${driver}`);
    return true;
  }

  private handleBind(driver: string, address: string, file: string, written: string): boolean {
    if (!this.devices.has(address)) return this.ignored(file, written, `no device ${address}`);
    if (this.has(address, "hang")) return this.hung(file, written);
    if (this.driverOf(address) !== null) return this.ignored(file, written, `${address} is already bound`);
    const override = this.override(address);
    const matches = override === null ? this.defaults[address] === driver : override === driver;
    if (!matches) return this.ignored(file, written, `${driver} does not match ${address} (override ${override ?? "(null)"}, default ${this.defaults[address] ?? "none"})`);
    return this.attach(address, driver, file, written);
  }

  private handleProbe(address: string, file: string, written: string): boolean {
    if (!this.devices.has(address)) return this.ignored(file, written, `no device ${address}`);
    if (this.has(address, "hang")) return this.hung(file, written);
    if (this.driverOf(address) !== null) return this.ignored(file, written, `${address} is already bound`);
    const target = this.override(address) ?? this.defaults[address] ?? null;
    if (target === null) return this.ignored(file, written, `no driver claims ${address}`);
    if (!existsSync(path.join(this.root, "bus/pci/drivers", target))) return this.ignored(file, written, `driver ${target} is not loaded`);
    return this.attach(address, target, file, written);
  }

  private attach(address: string, driver: string, file: string, written: string): boolean {
    if (this.has(address, "fail-probe")) {
      this.record(file, written, `probe of ${address} by ${driver} failed`);
      return true;
    }
    this.ensureDriver(driver);
    const devDir = this.devices.get(address)!;
    const driverDir = path.join(this.root, "bus/pci/drivers", driver);
    // Links relative, as the kernel's and fake-sysfs.ts's are, so the tree can be moved or captured.
    symlinkSync(path.relative(devDir, driverDir), path.join(devDir, "driver"));
    const back = path.join(driverDir, address);
    if (existsSync(back) || isLink(back)) rmSync(back, { force: true });
    symlinkSync(path.relative(driverDir, devDir), back);
    this.record(file, written, `bound ${address} to ${driver}`);
    return true;
  }

  private ignored(file: string, written: string, why: string): boolean {
    this.record(file, written, `ignored: ${why}`);
    return true;
  }

  private hung(file: string, written: string): boolean {
    // Leave the write in the file, unanswered, as a blocked writer would; record it once.
    const last = this.events[this.events.length - 1];
    const rel = path.relative(this.root, file);
    if (!(last && last.file === rel && last.written === written && last.result === "hung")) this.record(file, written, "hung");
    return false;
  }
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
