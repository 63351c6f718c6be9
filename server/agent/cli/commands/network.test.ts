import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseAllDocuments } from "yaml";
import { realFixture, repoRoot } from "../../../../test/fixtures";
import { demoTenancy } from "../../../domain/network/sample-tenancy";
import type { CalicoResource } from "../../../domain/network/types";
import { run } from "./network";

function capture() {
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  return { out: () => stdout, err: () => stderr };
}

afterEach(() => vi.restoreAllMocks());

describe("network render", () => {
  it("prints a session's objects as JSON with their etcd keys", async () => {
    const io = capture();
    expect(await run(["render", "--session", "sess-c3", "--json"])).toBe(0);
    const doc = JSON.parse(io.out()) as { sessionId: string; keys: string[]; objects: CalicoResource[] };
    expect(doc.sessionId).toBe("sess-c3");
    expect(doc.keys).toHaveLength(doc.objects.length);
    expect(doc.keys).toContain("/calico/resources/v3/projectcalico.org/globalnetworkpolicies/hypercell-project.egress-llm");
    expect(doc.objects.map((o) => o.kind)).toContain("WorkloadEndpoint");
  });

  it("prints YAML that calicoctl could apply, validated against the CRDs on request", async () => {
    const io = capture();
    expect(await run(["render", "--session", "sess-b2", "--crd-dir", realFixture("calico", "crd-v3-api")])).toBe(0);
    const docs = parseAllDocuments(io.out()).map((d) => d.toJSON() as CalicoResource);
    expect(docs.filter((d) => d.kind === "WorkloadEndpoint")).toHaveLength(2);
    expect(io.out()).toContain("# /calico/resources/v3/projectcalico.org/workloadendpoints/default/gpu--node--2-cni-kern--b2--1-eth0  (owned by the session)");
  });

  it("reads the tenancy from a file and names what is wrong with it", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "hc-net-"));
    const good = path.join(dir, "t.json");
    const t = demoTenancy();
    t.sessions[0]!.id = "from-file";
    writeFileSync(good, JSON.stringify(t));
    let io = capture();
    expect(await run(["render", "--session", "from-file", "--tenancy", good, "--json"])).toBe(0);
    expect(io.out()).toContain("hypercell-admin.allow-intra-session-from-file");
    vi.restoreAllMocks();
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ ...t, storageNetworks: ["nope"] }));
    io = capture();
    expect(await run(["render", "--session", "from-file", "--tenancy", bad])).toBe(1);
    expect(io.err()).toMatch(/storageNetworks\.0: must be an IPv4 CIDR/);
  });

  it("exits 2 with usage on bad flags and 1 for an unknown session", async () => {
    let io = capture();
    expect(await run(["render"])).toBe(2);
    expect(io.err()).toMatch(/--session is required/);
    vi.restoreAllMocks();
    io = capture();
    expect(await run(["render", "--session", "x", "--frobnicate"])).toBe(2);
    vi.restoreAllMocks();
    io = capture();
    expect(await run(["render", "--session", "nope"])).toBe(1);
    expect(io.err()).toMatch(/no session nope/);
  });
});

describe("network check", () => {
  it("reports the demo tenancy isolated", async () => {
    const io = capture();
    expect(await run(["check", "--json"])).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({ endpoints: 4, violations: [] });
  });
});

describe("through the agent CLI", () => {
  it("npm run --silent agent -- network render --session ID --json", () => {
    const text = execFileSync("npm", ["run", "--silent", "agent", "--", "network", "render", "--session", "sess-a1", "--json"], { cwd: repoRoot, encoding: "utf8" });
    expect((JSON.parse(text) as { sessionId: string }).sessionId).toBe("sess-a1");
  });
});
