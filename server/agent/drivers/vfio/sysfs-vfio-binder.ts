// GpuBinder on a sysfs tree: moves a GPU's whole IOMMU group to vfio-pci and back, the way Linux wants
// it done (driver_override, unbind, drivers_probe), verifying each move by the device's `driver` link.
// The root is an option, so the same code runs on a real /sys and on a fake tree answered by
// FakeKernel (fake-kernel.ts).
//
// Order of a bind, and why:
//   1. refuse what must not be bound (unknown GPU, IOMMU off, unsafe group, an allocated member);
//   2. record every member's driver and driver_override in <stateDir>/vfio-bindings.json — before any
//      write to sysfs, so a crash half-way still leaves the way back on disk;
//   3. per member (address order; PCI bridges stay on pcieport, VFIO leaves them to the host):
//      driver_override := vfio-pci, unbind from the current driver, drivers_probe, wait for the link;
//   4. on the first failure or timeout, put every member back as it was before this call and say,
//      per device, what was written and what the kernel did.
import { access } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../../errors";
import type { HostInventory, InventoryGpu, InventoryIommuGroup } from "../../../domain/topology/inventory";
import { comparePciAddresses, normalizePciAddress } from "../../../domain/topology/pci-address";
import { isPciBridge } from "../../../domain/topology/pci-class";
import { IOMMU_OFF_REASON, VFIO_DRIVER } from "../../../domain/topology/passthrough";
import type { BindOutcome, BindStep, GpuBinder } from "../../host-services";
import { BindingStore, type BindingRecords } from "./binding-store";
import { describeError, readBoundDriver, readDriverOverride, waitUntil, writeSysfs } from "./sysfs-io";

export interface SysfsVfioBinderOptions {
  /** Directory laid out like /sys. Default "/sys". */
  sysfsRoot?: string;
  /** Where vfio-bindings.json lives (the agent's state directory). */
  stateDir: string;
  /** How long one sysfs write, or the wait for the kernel to move a device, may take. Default 10 s. */
  timeoutMs?: number;
  /** How often the `driver` link is re-read while waiting. Default 20 ms. */
  pollMs?: number;
}

type AllocatedCheck = { allocated: (address: string) => boolean };

interface Member {
  address: string;
  bridge: boolean;
}

interface DeviceState {
  driver: string | null;
  override: string | null;
}

interface Resolved {
  gpu: InventoryGpu;
  group: InventoryIommuGroup;
  /** Members that move (bridges excluded), in address order. */
  movable: Member[];
  bridges: Member[];
}

const SAME_DRIVER_NOTE = "the host's configuration (vfio-pci.ids, driverctl or a modprobe rule) claims it for vfio-pci";

export class SysfsVfioBinder implements GpuBinder {
  readonly sysfsRoot: string;
  private readonly store: BindingStore;
  private readonly timeoutMs: number;
  private readonly pollMs: number;
  // One bind/unbind at a time: two overlapping moves of the same group would each record the other's
  // half-done state as "original".
  private tail: Promise<unknown> = Promise.resolve();

  constructor(opts: SysfsVfioBinderOptions) {
    this.sysfsRoot = opts.sysfsRoot ?? "/sys";
    this.store = new BindingStore(opts.stateDir);
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.pollMs = opts.pollMs ?? 20;
  }

  /** The state file's path, for messages and docs. */
  get recordFile(): string {
    return this.store.file;
  }

  /**
   * The recorded original drivers, by device address ({} when none). Throws AppError
   * PRECONDITION_FAILED when the record file is unreadable or malformed.
   */
  records(): Promise<BindingRecords> {
    return this.store.load();
  }

  /**
   * Binds the GPU's whole IOMMU group to vfio-pci (see GpuBinder.bind). Resolves ok:false with
   * rolledBack:true when a step failed and every member is back on the driver it had before the call,
   * rolledBack:false when even that failed for some member (its record is kept, and the steps say
   * which). Throws AppError NOT_FOUND (no such GPU), BAD_INPUT (not a PCI address),
   * GPU_IOMMU_GROUP_UNSAFE, PRECONDITION_FAILED (IOMMU off, a member allocated, vfio-pci not loaded,
   * record file unreadable) before touching anything; and the fs error when the record cannot be written.
   */
  bind(gpuAddress: string, inventory: HostInventory, opts: AllocatedCheck): Promise<BindOutcome> {
    return this.exclusive(() => this.doBind(gpuAddress, inventory, opts));
  }

  /**
   * Returns every vfio-pci member of the GPU's group to its recorded original driver, or to the
   * kernel's choice (override cleared, drivers_probe) when nothing was recorded; members on other
   * drivers are left alone. Unsafe groups are not refused: handing devices back to the host is the
   * safe direction. Resolves ok:false (rolledBack:false) naming the members that did not move; their
   * records are kept for a retry. Throws as bind does, except GPU_IOMMU_GROUP_UNSAFE.
   */
  unbind(gpuAddress: string, inventory: HostInventory, opts: AllocatedCheck): Promise<BindOutcome> {
    return this.exclusive(() => this.doUnbind(gpuAddress, inventory, opts));
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private rel(...parts: string[]): string {
    return path.join("bus/pci", ...parts);
  }

  private abs(rel: string): string {
    return path.join(this.sysfsRoot, rel);
  }

  private resolve(gpuAddress: string, inventory: HostInventory, opts: AllocatedCheck, kind: "bind" | "unbind"): Resolved {
    const address = normalizePciAddress(gpuAddress);
    if (address === null) throw new AppError("BAD_INPUT", `${JSON.stringify(gpuAddress)} is not a PCI address (expected e.g. 0000:18:00.0)`);
    const gpu = inventory.gpus.find((g) => g.address === address);
    if (!gpu) {
      const known = inventory.gpus.map((g) => g.address);
      throw new AppError("NOT_FOUND", `this host has no GPU at ${address}${known.length ? ` (its GPUs: ${known.join(", ")})` : " (it has no GPUs)"}`);
    }
    if (!inventory.iommuEnabled) throw new AppError("PRECONDITION_FAILED", `cannot ${kind} ${address}: ${IOMMU_OFF_REASON}`);
    const group = gpu.iommuGroup === null ? undefined : inventory.iommuGroups.find((g) => g.id === gpu.iommuGroup);
    if (!group) throw new AppError("PRECONDITION_FAILED", `cannot ${kind} ${address}: it has no IOMMU group, so VFIO cannot isolate it`);
    if (kind === "bind" && group.verdict === "unsafe") {
      throw new AppError("GPU_IOMMU_GROUP_UNSAFE", `cannot bind ${address} to ${VFIO_DRIVER}: its IOMMU group ${group.id} is unsafe: ${group.reasons.join("; ")}`, {
        group: group.id,
        reasons: group.reasons,
      });
    }
    const allocated = group.devices.filter((a) => opts.allocated(a));
    if (allocated.length > 0) {
      throw new AppError(
        "PRECONDITION_FAILED",
        `cannot ${kind} ${address}: ${allocated.join(", ")} ${allocated.length === 1 ? "is" : "are"} allocated to a session; ${kind} it once the session has ended`,
      );
    }
    const classOf = new Map(inventory.devices.map((d) => [d.address, d]));
    const members = [...group.devices].sort(comparePciAddresses).map((a) => {
      const d = classOf.get(a);
      return { address: a, bridge: d ? isPciBridge(d) : false };
    });
    return { gpu, group, movable: members.filter((m) => !m.bridge), bridges: members.filter((m) => m.bridge) };
  }

  private async readState(address: string): Promise<DeviceState> {
    try {
      return { driver: await readBoundDriver(this.sysfsRoot, address), override: await readDriverOverride(this.sysfsRoot, address) };
    } catch (e) {
      throw new AppError("SYSFS_INVALID", `cannot read the driver state of ${address} under ${this.sysfsRoot}: ${describeError(e)}`);
    }
  }

  private async requireDriverLoaded(name: string, what: string): Promise<void> {
    try {
      await access(this.abs(this.rel("drivers", name)));
    } catch {
      throw new AppError("PRECONDITION_FAILED", `cannot ${what}: the ${name} driver is not loaded (no ${this.rel("drivers", name)}); run modprobe ${name.replace(/-/g, "_")}`);
    }
  }

  /** Writes and reports: null on success, else a sentence saying which write failed and how. */
  private async write(rel: string, text: string): Promise<string | null> {
    try {
      await writeSysfs(this.abs(rel), text, this.timeoutMs);
      return null;
    } catch (e) {
      return `writing ${JSON.stringify(text.trim() || "\\n")} to ${rel} failed (${describeError(e)})`;
    }
  }

  private waitForDriver(address: string, want: (driver: string | null) => boolean): Promise<boolean> {
    return waitUntil(async () => want(await readBoundDriver(this.sysfsRoot, address)), this.timeoutMs, this.pollMs);
  }

  private async currentDriver(address: string): Promise<string | null> {
    return readBoundDriver(this.sysfsRoot, address).catch(() => null);
  }

  /** Unbinds `address` from `driver` and waits for its link to go. Null on success, else why not. */
  private async unbindFrom(address: string, driver: string, done: string[]): Promise<string | null> {
    const file = this.rel("drivers", driver, "unbind");
    const err = await this.write(file, address);
    if (err) return err;
    if (!(await this.waitForDriver(address, (d) => d === null))) {
      const now = await this.currentDriver(address);
      return `${address} is still bound to ${now ?? driver} ${this.timeoutMs} ms after writing its address to ${file}`;
    }
    done.push(`unbound from ${driver}`);
    return null;
  }

  /** driver_override := vfio-pci, unbind, drivers_probe, verify. */
  private async moveToVfio(address: string, from: DeviceState): Promise<BindStep> {
    const done: string[] = [];
    const step = (ok: boolean, why: string | null): BindStep => ({
      device: address,
      fromDriver: from.driver,
      toDriver: VFIO_DRIVER,
      ok,
      message: `${done.length ? `${done.join(", ")}; ` : ""}${why ?? `now on ${VFIO_DRIVER}`}`,
    });
    const overrideFile = this.rel("devices", address, "driver_override");
    let err = await this.write(overrideFile, VFIO_DRIVER);
    if (err) return step(false, err);
    done.push(`driver_override set to ${VFIO_DRIVER}`);
    if (from.driver !== null) {
      err = await this.unbindFrom(address, from.driver, done);
      if (err) return step(false, err);
    }
    const probe = this.rel("drivers_probe");
    err = await this.write(probe, address);
    if (err) return step(false, err);
    if (!(await this.waitForDriver(address, (d) => d === VFIO_DRIVER))) {
      const now = await this.currentDriver(address);
      return step(false, `${address} ${now === null ? "has no driver" : `is bound to ${now}`} ${this.timeoutMs} ms after writing its address to ${probe} (expected ${VFIO_DRIVER})`);
    }
    return step(true, null);
  }

  /**
   * Puts one device back to `target` (driver and override). An explicit `drivers/<name>/bind` is tried
   * first, since it names the driver; drivers_probe (the kernel's own choice, override cleared) second,
   * for drivers whose bind file refuses devices they did not claim at boot.
   */
  private async restore(address: string, target: DeviceState, label: string): Promise<BindStep> {
    const done: string[] = [];
    const before = await this.currentDriver(address);
    const step = (ok: boolean, why: string | null): BindStep => ({
      device: address,
      fromDriver: before,
      toDriver: target.driver,
      ok,
      message: `${label}: ${done.length ? `${done.join(", ")}; ` : ""}${why ?? (target.driver === null ? "left without a driver, as it was" : `back on ${target.driver}`)}`,
    });
    const problems: string[] = [];
    const overrideNow = await readDriverOverride(this.sysfsRoot, address).catch(() => undefined);
    if (overrideNow !== target.override) {
      const err = await this.write(this.rel("devices", address, "driver_override"), target.override ?? "\n");
      if (err) problems.push(err);
      else done.push(target.override === null ? "driver_override cleared" : `driver_override set back to ${target.override}`);
    }
    if (before === target.driver) return step(problems.length === 0, problems.length ? problems.join("; ") : target.driver === null ? "had no driver, as before" : `still on ${target.driver}`);
    if (before !== null) {
      const err = await this.unbindFrom(address, before, done);
      if (err) return step(false, [...problems, err].join("; "));
    }
    if (target.driver === null) return step(problems.length === 0, problems.length ? problems.join("; ") : null);
    const bindFile = this.rel("drivers", target.driver, "bind");
    const bindErr = await this.write(bindFile, address);
    if (!bindErr && (await this.waitForDriver(address, (d) => d === target.driver))) {
      done.push(`bound to ${target.driver} through ${bindFile}`);
      return step(problems.length === 0, problems.length ? problems.join("; ") : null);
    }
    problems.push(bindErr ?? `${address} was not bound to ${target.driver} ${this.timeoutMs} ms after writing its address to ${bindFile}`);
    const probeErr = await this.write(this.rel("drivers_probe"), address);
    if (!probeErr && (await this.waitForDriver(address, (d) => d === target.driver))) {
      done.push(`bound to ${target.driver} by drivers_probe`);
      return step(true, `${problems.join("; ")}; recovered by drivers_probe`);
    }
    const now = await this.currentDriver(address);
    problems.push(probeErr ?? `drivers_probe left it ${now === null ? "without a driver" : `on ${now}`}`);
    return step(false, problems.join("; "));
  }

  private async doBind(gpuAddress: string, inventory: HostInventory, opts: AllocatedCheck): Promise<BindOutcome> {
    const { gpu, group, movable, bridges } = this.resolve(gpuAddress, inventory, opts, "bind");
    await this.requireDriverLoaded(VFIO_DRIVER, `bind ${gpu.address}`);
    const before = new Map<string, DeviceState>();
    for (const m of movable) before.set(m.address, await this.readState(m.address));
    const bridgeSteps: BindStep[] = bridges.map((b) => ({ device: b.address, fromDriver: null, toDriver: null, ok: true, message: "PCI bridge: stays with the host (VFIO does not take bridges)" }));

    const pending = movable.filter((m) => before.get(m.address)!.driver !== VFIO_DRIVER);
    if (pending.length === 0) {
      return {
        ok: true,
        rolledBack: false,
        message: `${gpu.address} and the rest of IOMMU group ${group.id} are already on ${VFIO_DRIVER}; nothing to do`,
        steps: [...movable.map((m) => ({ device: m.address, fromDriver: VFIO_DRIVER, toDriver: VFIO_DRIVER, ok: true, message: `already on ${VFIO_DRIVER}` })), ...bridgeSteps],
      };
    }

    // The record first: from here on, a crash leaves the way back on disk.
    const records = await this.store.load();
    const recordedNow: string[] = [];
    const now = Date.now();
    for (const m of movable) {
      if (records[m.address]) continue; // an earlier bind already knows where it really belongs
      const s = before.get(m.address)!;
      records[m.address] = { originalDriver: s.driver, originalOverride: s.override, iommuGroup: group.id, gpu: gpu.address, recordedAtMs: now };
      recordedNow.push(m.address);
    }
    await this.store.save(records);

    const steps: BindStep[] = [];
    let failure: BindStep | null = null;
    for (const m of movable) {
      const s = before.get(m.address)!;
      if (s.driver === VFIO_DRIVER) {
        steps.push({ device: m.address, fromDriver: VFIO_DRIVER, toDriver: VFIO_DRIVER, ok: true, message: `already on ${VFIO_DRIVER}` });
        continue;
      }
      const step = await this.moveToVfio(m.address, s);
      steps.push(step);
      if (!step.ok) {
        failure = step;
        break;
      }
    }
    steps.push(...bridgeSteps);
    if (!failure) {
      return {
        ok: true,
        rolledBack: false,
        message: `bound ${gpu.address} and every other member of IOMMU group ${group.id} (${movable.map((m) => m.address).join(", ")}) to ${VFIO_DRIVER}; original drivers recorded in ${this.store.file}`,
        steps,
      };
    }

    // Roll back every member, the failed one included (its override is already changed), last first.
    const restored: string[] = [];
    const stuck: string[] = [];
    for (const m of [...movable].reverse()) {
      const target = before.get(m.address)!;
      const step = await this.restore(m.address, target, "rollback");
      steps.push(step);
      if (step.ok) restored.push(`${m.address} on ${target.driver ?? "no driver"}`);
      else stuck.push(m.address);
    }
    for (const a of recordedNow) if (!stuck.includes(a)) delete records[a];
    await this.store.save(records);
    const head = `binding ${gpu.address} to ${VFIO_DRIVER} failed at ${failure.device}: ${failure.message.split("; ").pop()}`;
    if (stuck.length === 0) {
      return { ok: false, rolledBack: true, message: `${head}. Rolled back: every member of IOMMU group ${group.id} is on its previous driver again (${restored.reverse().join(", ")})`, steps };
    }
    return {
      ok: false,
      rolledBack: false,
      message: `${head}. Rollback incomplete: ${stuck.join(", ")} could not be returned (see the steps); their original drivers stay recorded in ${this.store.file} for an unbind to retry`,
      steps,
    };
  }

  private async doUnbind(gpuAddress: string, inventory: HostInventory, opts: AllocatedCheck): Promise<BindOutcome> {
    const { gpu, group, movable, bridges } = this.resolve(gpuAddress, inventory, opts, "unbind");
    const records = await this.store.load();
    const steps: BindStep[] = [];
    const failed: string[] = [];
    const moved: string[] = [];
    for (const m of movable) {
      const state = await this.readState(m.address);
      const record = records[m.address];
      if (state.driver !== VFIO_DRIVER) {
        steps.push({ device: m.address, fromDriver: state.driver, toDriver: state.driver, ok: true, message: `not on ${VFIO_DRIVER} (${state.driver ?? "no driver"}); left as it is` });
        delete records[m.address]; // the agent no longer holds it, whoever moved it
        continue;
      }
      // A recorded original of vfio-pci means the host put it there; returning it "home" would be a
      // no-op, so the admin's unbind asks the kernel for its default instead.
      if (record && record.originalDriver !== VFIO_DRIVER) {
        const step = await this.restore(m.address, { driver: record.originalDriver, override: record.originalOverride === VFIO_DRIVER ? null : record.originalOverride }, "unbind");
        steps.push(step);
        if (step.ok) {
          delete records[m.address];
          moved.push(`${m.address} → ${record.originalDriver ?? "no driver"}`);
        } else failed.push(m.address);
        continue;
      }
      const step = await this.toKernelDefault(m.address, state);
      steps.push(step);
      if (step.ok) {
        delete records[m.address];
        moved.push(`${m.address} → ${step.toDriver ?? "no driver"}`);
      } else failed.push(m.address);
    }
    steps.push(...bridges.map((b) => ({ device: b.address, fromDriver: null, toDriver: null, ok: true, message: "PCI bridge: stays with the host" })));
    await this.store.save(records);
    if (failed.length === 0) {
      return {
        ok: true,
        rolledBack: false,
        message: moved.length ? `returned IOMMU group ${group.id} of ${gpu.address} to the host: ${moved.join(", ")}` : `no member of IOMMU group ${group.id} of ${gpu.address} was on ${VFIO_DRIVER}; nothing to do`,
        steps,
      };
    }
    return {
      ok: false,
      rolledBack: false,
      message: `unbinding ${gpu.address} from ${VFIO_DRIVER} failed for ${failed.join(", ")} (see the steps)${moved.length ? `; returned: ${moved.join(", ")}` : ""}; their records stay in ${this.store.file} for a retry`,
      steps,
    };
  }

  /** No record to go back to: clear the override, unbind from vfio-pci and let the kernel choose. */
  private async toKernelDefault(address: string, state: DeviceState): Promise<BindStep> {
    const done: string[] = [];
    const step = (ok: boolean, to: string | null, why: string): BindStep => ({ device: address, fromDriver: VFIO_DRIVER, toDriver: to, ok, message: `unbind (no record, kernel default): ${done.length ? `${done.join(", ")}; ` : ""}${why}` });
    if (state.override !== null) {
      const err = await this.write(this.rel("devices", address, "driver_override"), "\n");
      if (err) return step(false, VFIO_DRIVER, err);
      done.push("driver_override cleared");
    }
    const err = await this.unbindFrom(address, VFIO_DRIVER, done);
    if (err) return step(false, await this.currentDriver(address), err);
    const probeErr = await this.write(this.rel("drivers_probe"), address);
    if (probeErr) return step(false, null, probeErr);
    // A real drivers_probe binds inside the write; the wait only matters for trees answered
    // asynchronously, and no driver at all is a legitimate answer, so it is not a failure.
    await this.waitForDriver(address, (d) => d !== null);
    const now = await this.currentDriver(address);
    if (now === null) return step(true, null, "no driver claimed it; it is left unbound");
    if (now === VFIO_DRIVER) return step(true, now, `the kernel bound it to ${VFIO_DRIVER} again: ${SAME_DRIVER_NOTE}`);
    return step(true, now, `the kernel bound it to ${now}`);
  }
}
