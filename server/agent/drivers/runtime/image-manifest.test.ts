import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { chainIds, chooseManifest, configDiffIds, manifestParts } from "./image-manifest";
import { MEDIA_TYPES } from "./oci-image";

const d = (n: string) => `sha256:${n.repeat(64)}`;

describe("chainIds", () => {
  it("follows the OCI definition", () => {
    const [a, b, c] = [d("a"), d("b"), d("c")];
    const ab = `sha256:${createHash("sha256").update(`${a} ${b}`).digest("hex")}`;
    const abc = `sha256:${createHash("sha256").update(`${ab} ${c}`).digest("hex")}`;
    expect(chainIds([a, b, c])).toEqual([a, ab, abc]);
    expect(chainIds([])).toEqual([]);
  });
});

describe("chooseManifest", () => {
  const m = (arch: string | undefined, digest: string) => ({ mediaType: MEDIA_TYPES.manifest, digest, size: 1, ...(arch ? { platform: { os: "linux", architecture: arch } } : {}) });
  it("picks linux/<arch>", () => {
    expect(chooseManifest({ manifests: [m("arm64", d("1")), m("amd64", d("2"))] }, "img", "amd64").digest).toBe(d("2"));
  });
  it("accepts a lone entry without a platform", () => {
    expect(chooseManifest({ manifests: [m(undefined, d("3"))] }, "img", "amd64").digest).toBe(d("3"));
  });
  it("says which platforms are offered when none fits", () => {
    expect(() => chooseManifest({ manifests: [m("arm64", d("1"))] }, "img", "amd64")).toThrow(/no manifest for linux\/amd64 \(it offers: linux\/arm64\)/);
  });
});

describe("manifestParts and configDiffIds", () => {
  it("refuses layers it cannot unpack and configs that do not match", () => {
    const cfg = { mediaType: MEDIA_TYPES.config, digest: d("c"), size: 1 };
    expect(() => manifestParts({ config: cfg, layers: [{ mediaType: "application/x-weird", digest: d("l"), size: 1 }] }, "img")).toThrow(/cannot be unpacked/);
    expect(manifestParts({ config: cfg, layers: [] }, "img").layers).toEqual([]);
    expect(() => configDiffIds({ rootfs: { diff_ids: [d("a")] } }, "img", 2)).toThrow(/1 diff IDs for 2 layers/);
  });
});
