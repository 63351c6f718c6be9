/**
 * The runtime a simulated host uses in place of containerd + the Kata shim, which cannot exist on
 * machines without KVM: the in-memory FakeSandboxRuntime (held honest by the contract suite the real
 * containerd driver passes), plus what a real host has that a fake lacks — any image can be "pulled",
 * and a VM takes a moment to boot.
 */
import { FakeSandboxRuntime } from "../drivers/runtime/fake-sandbox-runtime";
import type { ContainerInfo, CreateContainerInput, RuntimeMount, StartTaskInput } from "../drivers/runtime/sandbox-runtime";

export class SimulatedKataRuntime extends FakeSandboxRuntime {
  private readonly pulled = new Set<string>();
  constructor(private readonly bootMs = 1_200) {
    super({ namespace: "hypercell" });
  }

  override async prepareRootfs(image: string, snapshotKey: string): Promise<RuntimeMount[]> {
    if (!this.pulled.has(image)) {
      // The image is pulled inside the guest under CoCo; simulate the time it takes once.
      await new Promise((r) => setTimeout(r, this.bootMs / 2));
      (this as unknown as { images: Set<string> }).images.add(image);
      this.pulled.add(image);
    }
    return super.prepareRootfs(image, snapshotKey);
  }

  /**
   * Inside a real guest, Backend.AI's kernel runner serves until the session ends. The fake interprets
   * only a few shell words, so the simulated guest runs a stand-in that stays up until killed; the
   * rest of the spec (devices, annotations, mounts) is kept exactly as rendered.
   */
  override async createContainer(input: CreateContainerInput): Promise<ContainerInfo> {
    const process = (input.spec.process ?? {}) as { args?: string[] };
    const args = process.args ?? [];
    const simulated = args.some((a) => a.includes("ai.backend.kernel") || a.endsWith("entrypoint.sh")) ? ["/bin/sh", "-c", "echo simulated kernel runner up; sleep infinity"] : args;
    return super.createContainer({ ...input, spec: { ...input.spec, process: { ...process, args: simulated } } });
  }

  override async startTask(input: StartTaskInput): Promise<number> {
    await new Promise((r) => setTimeout(r, this.bootMs)); // guest kernel boot + kata-agent
    return super.startTask(input);
  }
}
