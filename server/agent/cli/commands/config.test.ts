import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { configCommand } from "./config";

async function runConfig(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await configCommand(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe("hypercell-agent config", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "config-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it("sample prints a configuration that check accepts", async () => {
    const sample = await runConfig("sample");
    expect(sample.code).toBe(0);
    expect(sample.out).toContain("[kata]");
    const checked = await runConfig("check", write("sample.toml", sample.out));
    expect(checked).toMatchObject({ code: 0, err: "" });
    expect(checked.out).toMatch(/sample\.toml: ok — agent i-.+ in resource group default, controller 127\.0\.0\.1:6100, cloud-hypervisor with tdx, up to 8 GPUs per VM/);
  });

  it("check --json prints the effective configuration with defaults filled in", async () => {
    const { code, out } = await runConfig("check", write("min.toml", '[agent]\nid = "n1"\ncontroller_address = "10.0.0.5:6100"\n'), "--json");
    expect(code).toBe(0);
    const cfg = JSON.parse(out);
    expect(cfg.agent).toMatchObject({ id: "n1", controllerAddress: "10.0.0.5:6100" });
    expect(cfg.kata).toMatchObject({ hypervisor: "cloud-hypervisor", hotplugVfio: "root-port", maxGpusPerVm: 8 });
  });

  it("check fails with exit 1 and one line per problem (key, line, value, what is allowed)", async () => {
    const file = write("bad.toml", '[agent]\ncontroller-address = "10.0.0.5:6100"\n[kata]\nhypervisor = "kvm"\nmax_gpus_per_vm = 99\n');
    const { code, out, err } = await runConfig("check", file);
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toBe(
      `${file} is not a valid agent configuration (2 problems):\n` +
        `  ${file}:4: [kata] hypervisor = "kvm" is not allowed; allowed: one of "cloud-hypervisor", "qemu", "dragonball"\n` +
        `  ${file}:5: [kata] max_gpus_per_vm = 99 is not allowed; allowed: an integer from 1 to 16\n`,
    );
  });

  it("prints warnings for accepted but discouraged settings", async () => {
    const { code, err } = await runConfig("check", write("dev.toml", '[agent]\ncontroller-address = "a:1"\n[kata]\nconfidential-guest = false\n'));
    expect(code).toBe(0);
    expect(err).toMatch(/^warning: \[kata\] confidential-guest = false/);
  });

  it("explains usage errors with exit 2", async () => {
    expect(await runConfig()).toMatchObject({ code: 2, err: expect.stringContaining("usage: hypercell-agent config sample") });
    expect(await runConfig("check")).toMatchObject({ code: 2, err: expect.stringContaining("give exactly one FILE") });
    expect(await runConfig("frob")).toMatchObject({ code: 2, err: expect.stringContaining('unknown subcommand "frob"') });
    expect(await runConfig("check", path.join(dir, "missing.toml"))).toMatchObject({ code: 1, err: expect.stringContaining("(no such file)") });
  });
});
