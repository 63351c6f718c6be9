// PCIe locality: which NICs and NVSwitches sit under the same PCIe switch or root port as a GPU.
// GPUDirect RDMA needs the GPU and the HCA below one root complex, ideally one switch (BEP A.11), and
// the RDMA co-plugin attaches the HCA that is closest to each allocated GPU.

export type PcieLink = "same-switch" | "same-root-port";

export interface Placed {
  address: string;
  /** Bridge chain from the root port down to the parent, as PciDevice.ancestors. */
  ancestors: readonly string[];
}

/**
 * How close two functions are: "same-switch" when they share a bridge below the root port (an
 * upstream switch port), "same-root-port" when they share only the root port, null when they share
 * nothing (different root ports, or either sits directly on a root bus).
 */
export function pcieLink(a: Placed, b: Placed): PcieLink | null {
  let shared = 0;
  while (shared < a.ancestors.length && shared < b.ancestors.length && a.ancestors[shared] === b.ancestors[shared]) {
    shared += 1;
  }
  if (shared === 0) return null;
  return shared >= 2 ? "same-switch" : "same-root-port";
}

/** The root port of a function: the first bridge of its chain, null on a root bus. */
export function rootPortOf(d: Placed): string | null {
  return d.ancestors[0] ?? null;
}

/**
 * The upstream port of the PCIe switch directly above a function, when there is one: with the
 * chain root port → upstream → downstream → function, the grandparent. null without a switch.
 */
export function switchUpstreamOf(d: Placed): string | null {
  return d.ancestors.length >= 3 ? d.ancestors[d.ancestors.length - 2]! : null;
}

/** The candidates local to `target` with their link, closest first, then by address order given. */
export function localTo<T extends Placed>(target: Placed, candidates: readonly T[]): { device: T; link: PcieLink }[] {
  const found: { device: T; link: PcieLink }[] = [];
  for (const c of candidates) {
    if (c.address === target.address) continue;
    const link = pcieLink(target, c);
    if (link) found.push({ device: c, link });
  }
  return found.sort((x, y) => (x.link === y.link ? 0 : x.link === "same-switch" ? -1 : 1));
}
