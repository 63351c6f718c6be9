// Validates Calico objects against Calico's own CRD OpenAPI schemas (the `projectcalico.org` CRDs of
// the v3 API, or the `crd.projectcalico.org` ones libcalico-go ships — same spec schema). Pure: the
// caller reads the CRD files and passes their text, so this runs in tests, in the CLI and in the
// store's guard before a write.
//
// Two deliberate tightenings over what a Kubernetes API server does:
//  - an object schema that lists `properties` gets `additionalProperties: false`. The API server
//    would silently prune an unknown field (a typo like `destinaton`), leaving a policy that does
//    not do what it says; we would rather fail.
//  - `metadata.name` is checked against Kubernetes object-name rules, which the CRD schema leaves
//    to the API server.
// Not evaluated: the CRDs' `x-kubernetes-validations` CEL rules (ajv has no CEL). In their place a
// few of libcalico-go's validator rules are re-checked on policies: every selector parses, every
// net is a CIDR, ports only appear with a protocol that has ports.
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";
import { AppError } from "../../errors";
import { parseCidr } from "./ip";
import { parseSelector } from "./selector";
import { CALICO_API_VERSION, refOf, refString, type CalicoResource } from "./types";

export interface SchemaIssue {
  /** JSON pointer into the object, e.g. /spec/ingress/0/action. */
  path: string;
  message: string;
}

export interface CalicoSchemaSet {
  /** Kinds this set can validate, e.g. ["GlobalNetworkPolicy", "Tier", …]. */
  readonly kinds: readonly string[];
  /** The CRD group the schemas came from ("projectcalico.org" or "crd.projectcalico.org"). */
  readonly groups: readonly string[];
  /** Issues with one object; empty when it is valid. Unknown kinds are an issue, not a pass. */
  validate(obj: unknown): SchemaIssue[];
}

type JsonSchema = Record<string, unknown>;

interface CrdDoc {
  kind?: string;
  spec?: {
    group?: string;
    names?: { kind?: string };
    versions?: { name?: string; storage?: boolean; schema?: { openAPIV3Schema?: JsonSchema } }[];
  };
}

function tighten(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(tighten);
  if (!schema || typeof schema !== "object") return schema;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(schema as JsonSchema)) out[k] = k === "properties" || k === "patternProperties" ? mapValues(v, tighten) : tighten(v);
  if (
    out.type === "object" &&
    out.properties &&
    out.additionalProperties === undefined &&
    out["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

function mapValues(v: unknown, f: (x: unknown) => unknown): unknown {
  if (!v || typeof v !== "object") return v;
  return Object.fromEntries(Object.entries(v as JsonSchema).map(([k, x]) => [k, f(x)]));
}

/**
 * Calico publishes no CRD for WorkloadEndpoint (Calico synthesises them); this schema is ours,
 * written from the v3 WorkloadEndpoint reference, and covers the fields Hypercell writes or reads.
 */
export const WORKLOAD_ENDPOINT_SCHEMA: JsonSchema = {
  type: "object",
  required: ["metadata", "spec"],
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    spec: {
      type: "object",
      additionalProperties: false,
      properties: {
        orchestrator: { type: "string" },
        workload: { type: "string" },
        node: { type: "string" },
        containerID: { type: "string" },
        pod: { type: "string" },
        endpoint: { type: "string" },
        serviceAccountName: { type: "string" },
        ipNetworks: { type: "array", items: { type: "string", format: "cidr" } },
        ipNATs: { type: "array", items: { type: "object" } },
        ipv4Gateway: { type: "string" },
        ipv6Gateway: { type: "string" },
        profiles: { type: "array", items: { type: "string" } },
        interfaceName: { type: "string" },
        mac: { type: "string" },
        ports: {
          type: "array",
          items: {
            type: "object",
            required: ["name", "port"],
            properties: {
              name: { type: "string" },
              protocol: { anyOf: [{ type: "string" }, { type: "integer" }] },
              port: { type: "integer", minimum: 0, maximum: 65535 },
              hostPort: { type: "integer", minimum: 0, maximum: 65535 },
              hostIP: { type: "string" },
            },
          },
        },
        allowSpoofedSourcePrefixes: { type: "array", items: { type: "string" } },
      },
    },
  },
};

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function nameIssues(obj: { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } }): SchemaIssue[] {
  const name = obj.metadata?.name;
  if (typeof name !== "string" || name.length === 0) return [{ path: "/metadata/name", message: "must be a non-empty string" }];
  const issues: SchemaIssue[] = [];
  // Tiers become the prefix of policy names, so they are single DNS labels (libcalico-go validator).
  if (obj.kind === "Tier" ? !DNS_LABEL.test(name) || name.length > 63 : obj.kind !== "WorkloadEndpoint" && (!DNS_SUBDOMAIN.test(name) || name.length > 253)) {
    issues.push({ path: "/metadata/name", message: `"${name}" is not a valid ${obj.kind === "Tier" ? "DNS label" : "DNS subdomain"} name` });
  }
  const ns = obj.metadata?.namespace;
  if (ns !== undefined && (typeof ns !== "string" || !DNS_LABEL.test(ns))) issues.push({ path: "/metadata/namespace", message: `"${String(ns)}" is not a valid namespace` });
  return issues;
}

const PORTED = new Set(["TCP", "UDP", "SCTP", "6", "17", "132"]);

function policyIssues(spec: unknown): SchemaIssue[] {
  if (!spec || typeof spec !== "object") return [];
  const sp = spec as Record<string, unknown>;
  const issues: SchemaIssue[] = [];
  const checkSelector = (path: string, v: unknown) => {
    if (typeof v !== "string" || v === "") return;
    try {
      parseSelector(v);
    } catch (e) {
      issues.push({ path, message: (e as Error).message.split("\n")[0]! });
    }
  };
  checkSelector("/spec/selector", sp.selector);
  checkSelector("/spec/namespaceSelector", sp.namespaceSelector);
  for (const dir of ["ingress", "egress"] as const) {
    const rules = Array.isArray(sp[dir]) ? (sp[dir] as Record<string, unknown>[]) : [];
    rules.forEach((rule, i) => {
      if (!rule || typeof rule !== "object") return;
      const base = `/spec/${dir}/${i}`;
      let hasPorts = false;
      for (const side of ["source", "destination"] as const) {
        const e = rule[side] as Record<string, unknown> | undefined;
        if (!e || typeof e !== "object") continue;
        for (const k of ["selector", "notSelector", "namespaceSelector"]) checkSelector(`${base}/${side}/${k}`, e[k]);
        for (const k of ["nets", "notNets"]) {
          if (!Array.isArray(e[k])) continue;
          (e[k] as unknown[]).forEach((n, j) => {
            if (typeof n !== "string" || parseCidr(n) === null) issues.push({ path: `${base}/${side}/${k}/${j}`, message: `${JSON.stringify(n)} is not a CIDR` });
          });
        }
        if ((Array.isArray(e.ports) && e.ports.length > 0) || (Array.isArray(e.notPorts) && e.notPorts.length > 0)) hasPorts = true;
      }
      if (hasPorts && !PORTED.has(String(rule.protocol ?? "").toUpperCase())) {
        issues.push({ path: `${base}/protocol`, message: "ports need protocol TCP, UDP or SCTP (libcalico-go rule)" });
      }
    });
  }
  return issues;
}

function formatError(e: ErrorObject): SchemaIssue {
  const path = e.instancePath || "/";
  switch (e.keyword) {
    case "additionalProperties":
      return { path, message: `unknown field "${String((e.params as { additionalProperty: string }).additionalProperty)}" (not in Calico's schema)` };
    case "enum":
      return { path, message: `must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}` };
    default:
      return { path, message: e.message ?? e.keyword };
  }
}

function makeAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat("cidr", (s: string) => parseCidr(s) !== null);
  ajv.addFormat("date-time", (s: string) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}T/.test(s));
  return ajv;
}

export interface CompileOptions {
  /** Also validate WorkloadEndpoints with WORKLOAD_ENDPOINT_SCHEMA (default true). */
  includeWorkloadEndpoint?: boolean;
}

/**
 * Compiles the CRDs found in the given YAML texts (one CRD per text or several `---` documents).
 * Throws AppError CONFIG_INVALID when a text holds no CustomResourceDefinition with a schema.
 */
export function compileCalicoSchemas(crdYamlTexts: readonly string[], options: CompileOptions = {}): CalicoSchemaSet {
  const ajv = makeAjv();
  const byKind = new Map<string, ValidateFunction>();
  const groups = new Set<string>();
  for (const text of crdYamlTexts) {
    let found = false;
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new AppError("CONFIG_INVALID", `CRD YAML does not parse: ${doc.errors[0]!.message}`);
      const crd = doc.toJSON() as CrdDoc | null;
      if (!crd || crd.kind !== "CustomResourceDefinition") continue;
      const kind = crd.spec?.names?.kind;
      const versions = crd.spec?.versions ?? [];
      // Prefer the storage version; v3 for projectcalico.org, v1 for crd.projectcalico.org.
      const version = versions.find((v) => v.storage) ?? versions[0];
      const schema = version?.schema?.openAPIV3Schema;
      if (!kind || !schema) continue;
      byKind.set(kind, ajv.compile(tighten(schema) as JsonSchema));
      if (crd.spec?.group) groups.add(crd.spec.group);
      found = true;
    }
    if (!found) throw new AppError("CONFIG_INVALID", "a CRD file holds no CustomResourceDefinition with an openAPIV3Schema");
  }
  if (options.includeWorkloadEndpoint !== false && !byKind.has("WorkloadEndpoint")) byKind.set("WorkloadEndpoint", ajv.compile(WORKLOAD_ENDPOINT_SCHEMA));
  return {
    kinds: [...byKind.keys()].sort(),
    groups: [...groups].sort(),
    validate(obj: unknown): SchemaIssue[] {
      if (!obj || typeof obj !== "object") return [{ path: "/", message: "must be an object" }];
      const o = obj as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
      const issues: SchemaIssue[] = [];
      if (o.apiVersion !== CALICO_API_VERSION) issues.push({ path: "/apiVersion", message: `must be "${CALICO_API_VERSION}"` });
      const fn = typeof o.kind === "string" ? byKind.get(o.kind) : undefined;
      if (!fn) return [...issues, { path: "/kind", message: `no schema for kind ${JSON.stringify(o.kind)} (known: ${[...byKind.keys()].sort().join(", ")})` }];
      if (!fn(obj)) issues.push(...(fn.errors ?? []).map(formatError));
      issues.push(...nameIssues(o));
      if (o.kind === "GlobalNetworkPolicy" || o.kind === "NetworkPolicy") issues.push(...policyIssues((obj as { spec?: unknown }).spec));
      return issues;
    },
  };
}

/** Throws AppError BAD_INPUT naming every invalid object and field; returns quietly when all pass. */
export function assertValidResources(schemas: CalicoSchemaSet, objects: readonly CalicoResource[]): void {
  const bad: string[] = [];
  for (const o of objects) {
    const issues = schemas.validate(o);
    if (issues.length > 0) bad.push(`${refString(refOf(o))}: ${issues.map((i) => `${i.path} ${i.message}`).join("; ")}`);
  }
  if (bad.length > 0) throw new AppError("BAD_INPUT", `Calico schema validation failed:\n  ${bad.join("\n  ")}`, { objects: bad });
}
