// Pure helpers for walking an image: index → the manifest for our platform → config and layers,
// and the snapshot chain IDs layers are committed under. No I/O, unit-tested.
import { createHash } from "node:crypto";
import { AppError } from "../../../errors";
import { MEDIA_TYPES, ociArchitecture, type Descriptor } from "./oci-image";

const INDEX_TYPES: ReadonlySet<string> = new Set([MEDIA_TYPES.index, MEDIA_TYPES.dockerManifestList]);
const MANIFEST_TYPES: ReadonlySet<string> = new Set([MEDIA_TYPES.manifest, MEDIA_TYPES.dockerManifest]);
/** Layer media types the differ can apply (compressed or not, OCI or Docker). */
const LAYER_TYPES: ReadonlySet<string> = new Set([
  MEDIA_TYPES.layerGzip,
  MEDIA_TYPES.layerTar,
  MEDIA_TYPES.dockerLayerGzip,
  "application/vnd.docker.image.rootfs.diff.tar",
  "application/vnd.oci.image.layer.v1.tar+zstd",
]);

export function isIndex(mediaType: string): boolean {
  return INDEX_TYPES.has(mediaType);
}

export function isManifest(mediaType: string): boolean {
  return MANIFEST_TYPES.has(mediaType);
}

interface IndexJson {
  manifests?: Descriptor[];
}

/** The index entry for linux/<arch>; an entry without a platform matches only if it is alone. */
export function chooseManifest(indexJson: unknown, image: string, architecture = ociArchitecture()): Descriptor {
  const manifests = ((indexJson as IndexJson | null)?.manifests ?? []).filter((m) => isManifest(m.mediaType));
  const match = manifests.find((m) => m.platform?.os === "linux" && m.platform.architecture === architecture) ?? (manifests.length === 1 && !manifests[0]!.platform ? manifests[0] : undefined);
  if (!match) {
    const offered = manifests.map((m) => (m.platform ? `${m.platform.os}/${m.platform.architecture}` : "unspecified")).join(", ") || "none";
    throw new AppError("NOT_FOUND", `image "${image}" has no manifest for linux/${architecture} (it offers: ${offered})`);
  }
  return match;
}

export interface ManifestParts {
  config: Descriptor;
  layers: Descriptor[];
}

export function manifestParts(manifestJson: unknown, image: string): ManifestParts {
  const m = manifestJson as { config?: Descriptor; layers?: Descriptor[] } | null;
  if (!m?.config?.digest || !Array.isArray(m.layers)) throw new AppError("RUNTIME_ERROR", `image "${image}": its manifest has no config or layers`);
  for (const l of m.layers) {
    if (!LAYER_TYPES.has(l.mediaType)) throw new AppError("RUNTIME_ERROR", `image "${image}": layer ${l.digest} has media type ${l.mediaType}, which cannot be unpacked`);
  }
  return { config: m.config, layers: m.layers };
}

export function configDiffIds(configJson: unknown, image: string, layerCount: number): string[] {
  const ids = (configJson as { rootfs?: { diff_ids?: string[] } } | null)?.rootfs?.diff_ids;
  if (!Array.isArray(ids) || ids.length !== layerCount) {
    throw new AppError("RUNTIME_ERROR", `image "${image}": its config lists ${Array.isArray(ids) ? ids.length : "no"} diff IDs for ${layerCount} layers`);
  }
  return ids;
}

/**
 * OCI chain IDs: the first layer's is its diff ID; each next one is
 * sha256(previous chain ID + " " + diff ID). Committed snapshots are named by them, so two
 * images sharing lower layers share snapshots.
 */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const id of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev === undefined ? id : `sha256:${createHash("sha256").update(`${prev} ${id}`).digest("hex")}`);
  }
  return out;
}
