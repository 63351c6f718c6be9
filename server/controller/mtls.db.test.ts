/** Mutual TLS between controller and agent, with certificates made by openssl for this test. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TestDb } from "../../test/db";
import { freePort } from "../lib/free-port";
import { startController, type ControllerHandle } from "./main";
import { AgentRuntime } from "../agent/runtime";
import { parseAgentConfig } from "../agent/config/agent-config";
import { buildFakeSysfs } from "../agent/drivers/pci/fake-sysfs";
import { SysfsPciBus } from "../agent/drivers/pci/sysfs-pci-bus";
import { getSimHost } from "../agent/sim/hosts";

const TOKEN = "mtls-join-token-0123456789";
let t: TestDb;
let ctl: ControllerHandle;
let dir: string;

function makeCerts(d: string) {
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: d, stdio: "pipe" });
  ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=hypercell-test-ca", "-keyout", "ca.key", "-out", "ca.crt");
  for (const name of ["controller", "agent"]) {
    writeFileSync(path.join(d, `${name}.ext`), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${name}`, "-keyout", `${name}.key`, "-out", `${name}.csr`);
    ssl("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1", "-extfile", `${name}.ext`, "-out", `${name}.crt`);
  }
}

async function agent(host: string, withTls: boolean) {
  const root = path.join(dir, host);
  mkdirSync(root, { recursive: true });
  buildFakeSysfs(getSimHost(host)!, root);
  const tls = withTls ? `tls-cert = "${dir}/agent.crt"\ntls-key = "${dir}/agent.key"\ntls-ca = "${dir}/ca.crt"\n` : "";
  const toml = `[agent]\nid = "${host}"\nlisten-address = "127.0.0.1:${await freePort()}"\ncontroller-address = "${ctl.address}"\njoin-token = "${TOKEN}"\nstate-dir = "${root}-state"\nsysfs-root = "${root}"\nheartbeat-interval = 1\n${tls}`;
  return new AgentRuntime({ config: parseAgentConfig(toml), pciBus: new SysfsPciBus({ root }), host: { simulated: true }, log: () => {} });
}

beforeAll(async () => {
  t = await createTestDatabase();
  dir = mkdtempSync(path.join(os.tmpdir(), "hypercell-mtls-"));
  makeCerts(dir);
  ctl = await startController(
    {
      DATABASE_URL: t.url,
      HYPERCELL_JOIN_TOKEN: TOKEN,
      HYPERCELL_CONTROLLER_LISTEN: "127.0.0.1:0",
      HYPERCELL_HEARTBEAT_INTERVAL_SEC: "1",
      HYPERCELL_TLS_CERT: `${dir}/controller.crt`,
      HYPERCELL_TLS_KEY: `${dir}/controller.key`,
      HYPERCELL_TLS_CA: `${dir}/ca.crt`,
    },
    () => {},
  );
});
afterAll(async () => {
  await ctl?.stop();
  await t.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("mutual TLS", () => {
  it("an agent with a certificate from the CA joins, and its inventory arrives over the TLS channel back", async () => {
    const a = await agent("cpu-only", true);
    await a.start();
    try {
      for (let i = 0; i < 100 && (await t.db.pciDevice.count({ where: { agentId: "cpu-only" } })) === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await t.db.pciDevice.count({ where: { agentId: "cpu-only" } })).toBeGreaterThan(10);
    } finally {
      await a.stop();
    }
  });

  it("a plaintext agent cannot join a TLS controller", async () => {
    const a = await agent("iommu-off", false);
    await a.start();
    try {
      await new Promise((r) => setTimeout(r, 1500));
      expect(await t.db.agent.findUnique({ where: { id: "iommu-off" } })).toBeNull();
    } finally {
      await a.stop();
    }
  });

  it("half a TLS configuration is refused with a clear message", async () => {
    await expect(startController({ DATABASE_URL: t.url, HYPERCELL_JOIN_TOKEN: TOKEN, HYPERCELL_CONTROLLER_LISTEN: "127.0.0.1:0", HYPERCELL_TLS_CERT: "/x.crt" }, () => {})).rejects.toThrow(/go together/);
  });
});
