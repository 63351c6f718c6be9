// `hypercell-agent network …` — what the agent would write to Calico, and whether it isolates.
//
//   network render --session ID [--tenancy FILE] [--json] [--crd-dir DIR]
//   network check [--tenancy FILE] [--json]
//
// For now the tenancy comes from a JSON file (the shape of ZTenancy in server/domain/network/types.ts)
// or, without --tenancy, from a built-in demo. Later the agent will read it from the controller's
// database view of its sessions; the output will not change.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { isAppError } from "../../../errors";
import { assertValidResources } from "../../../domain/network/calico-schema";
import { findIsolationViolations, reachabilityForTenancy } from "../../../domain/network/isolation";
import { parseTenancy, renderSessionBundle, sortResources, toYaml } from "../../../domain/network/render-policy";
import { demoTenancy } from "../../../domain/network/sample-tenancy";
import { refOf, type Tenancy } from "../../../domain/network/types";
import { etcdKey } from "../../drivers/network/calico-keys";
import { loadCalicoSchemas } from "../../drivers/network/calico-crds";

export const summary = "render a session's Calico policy (render) or check tenancy isolation (check)";

const USAGE = `usage:
  hypercell-agent network render --session ID [--tenancy FILE] [--json] [--crd-dir DIR]
      print the Calico objects (tiers, policies, endpoint labels) written for one session:
      multi-document YAML with each object's etcd key, or JSON with --json.
      --crd-dir DIR  also validate them against the Calico CRDs in DIR (*_tiers.yaml, …)
  hypercell-agent network check [--tenancy FILE] [--json]
      evaluate the whole rendered policy set like Calico and report isolation violations
  Without --tenancy a built-in demo tenancy is used (later: the database).`;

function out(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

function err(text: string): void {
  process.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
}

function loadTenancy(file: string | undefined): Tenancy {
  if (!file) return demoTenancy();
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`cannot read tenancy file ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`tenancy file ${file} is not JSON: ${(e as Error).message}`);
  }
  return parseTenancy(json);
}

function render(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: { session: { type: "string" }, tenancy: { type: "string" }, json: { type: "boolean" }, "crd-dir": { type: "string" } },
    strict: true,
  });
  if (!values.session) {
    err(`network render: --session is required\n\n${USAGE}`);
    return 2;
  }
  const bundle = renderSessionBundle(loadTenancy(values.tenancy), values.session);
  const objects = sortResources([...bundle.shared, ...bundle.owned]);
  if (values["crd-dir"]) assertValidResources(loadCalicoSchemas(values["crd-dir"]), objects);
  if (values.json) {
    out(JSON.stringify({ sessionId: bundle.sessionId, projectId: bundle.projectId, keys: objects.map((o) => etcdKey(refOf(o))), objects }, null, 2));
  } else {
    out(`# Calico objects for session ${bundle.sessionId} (project ${bundle.projectId}); apply order = this order\n${toYaml(objects, (o) => `${etcdKey(refOf(o))}${bundle.owned.includes(o) ? "  (owned by the session)" : "  (shared)"}`)}`);
  }
  return 0;
}

function check(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { tenancy: { type: "string" }, json: { type: "boolean" } }, strict: true });
  const { tenancy, matrix } = reachabilityForTenancy(loadTenancy(values.tenancy));
  const violations = findIsolationViolations(tenancy, matrix);
  if (values.json) {
    out(JSON.stringify({ endpoints: matrix.workloadCount, peers: matrix.endpoints.length - matrix.workloadCount, probes: matrix.probes, skipped: matrix.skipped, violations }, null, 2));
  } else {
    out(`${matrix.workloadCount} session endpoints, ${matrix.endpoints.length - matrix.workloadCount} other peers, ${matrix.probes.length} probes`);
    for (const s of matrix.skipped) out(`skipped ${s.id}: ${s.reason}`);
    if (violations.length === 0) out("isolated: no path between sessions, every path inside each session, agents reach control ports only, nothing else");
    for (const v of violations) out(`VIOLATION ${v.src} -> ${v.dst} ${v.probe}: expected ${v.expected} (${v.why}), got ${v.actual}`);
  }
  return violations.length === 0 ? 0 : 1;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    switch (sub) {
      case "render":
        return render(rest);
      case "check":
        return check(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        out(USAGE);
        return sub === undefined ? 2 : 0;
      default:
        err(`network: unknown subcommand "${sub}"\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    // Bad input (flags, the tenancy file, an unknown session) is the caller's to fix: say what, exit 1.
    if (isAppError(e)) {
      err(`network ${sub}: ${e.message}`);
      return 1;
    }
    if (e instanceof Error && (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      err(`network ${sub}: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof Error) {
      err(`network ${sub}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
