// Loads Calico's CRD files from a directory (a Calico release's CRD manifests, or the captures the
// tests use) and turns them into the store's schema guard. The I/O half of calico-schema.ts.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { AppError } from "../../../errors";
import { assertValidResources, compileCalicoSchemas, type CalicoSchemaSet } from "../../../domain/network/calico-schema";
import type { ResourceValidator } from "./network-policy-store";

/** The CRDs for the kinds Hypercell writes (WorkloadEndpoint has none; calico-schema.ts covers it). */
export const WRITTEN_CRD_PLURALS = ["tiers", "globalnetworkpolicies", "networkpolicies"] as const;

/**
 * Compiles the CRDs in `dir` whose file names end in `_<plural>.yaml` (controller-gen's naming,
 * e.g. projectcalico.org_tiers.yaml). CONFIG_INVALID when the directory lacks one of them.
 */
export function loadCalicoSchemas(dir: string, plurals: readonly string[] = WRITTEN_CRD_PLURALS): CalicoSchemaSet {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch (e) {
    throw new AppError("CONFIG_INVALID", `cannot read the Calico CRD directory ${dir}: ${(e as Error).message}`);
  }
  const texts = plurals.map((plural) => {
    const f = files.find((name) => name.endsWith(`_${plural}.yaml`));
    if (!f) throw new AppError("CONFIG_INVALID", `the Calico CRD directory ${dir} has no *_${plural}.yaml`);
    return readFileSync(path.join(dir, f), "utf8");
  });
  return compileCalicoSchemas(texts);
}

/** A store guard: rejects (AppError BAD_INPUT) any object that fails Calico's schema. */
export function crdValidator(schemas: CalicoSchemaSet): ResourceValidator {
  return (objects) => assertValidResources(schemas, objects);
}
