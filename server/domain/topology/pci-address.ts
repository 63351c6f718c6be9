// PCI addresses as Linux writes them in sysfs: domain:bus:device.function, lowercase hex.
// Domains are usually 4 hex digits, but Intel VMD and some ARM hosts use 5 to 8 (e.g. 10000:00:00.0).

const ADDRESS = /^([0-9a-f]{4,8}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/;

export interface PciAddressParts {
  domain: number;
  bus: number;
  device: number;
  fn: number;
}

/** True for a canonical (lowercase) sysfs PCI address such as `0000:18:00.0`. */
export function isPciAddress(text: string): boolean {
  return ADDRESS.test(text);
}

/**
 * Accepts what people type (`18:00.0`, `0000:18:00.0`, upper case) and returns the canonical
 * sysfs form, or null when the text is not a PCI address.
 */
export function normalizePciAddress(text: string): string | null {
  let t = text.trim().toLowerCase();
  if (/^[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/.test(t)) t = `0000:${t}`;
  return ADDRESS.test(t) ? t : null;
}

/** Splits a canonical address; null when it is not one. */
export function parsePciAddress(text: string): PciAddressParts | null {
  const m = ADDRESS.exec(text);
  if (!m) return null;
  return {
    domain: Number.parseInt(m[1]!, 16),
    bus: Number.parseInt(m[2]!, 16),
    device: Number.parseInt(m[3]!, 16),
    fn: Number.parseInt(m[4]!, 16),
  };
}

/** `0000:18:00` — the slot shared by every function of one physical device. */
export function pciSlot(address: string): string {
  const dot = address.lastIndexOf(".");
  return dot < 0 ? address : address.slice(0, dot);
}

/** Numeric order (domain, bus, device, function); unparseable addresses sort last, by text. */
export function comparePciAddresses(a: string, b: string): number {
  const pa = parsePciAddress(a);
  const pb = parsePciAddress(b);
  if (!pa || !pb) {
    if (pa) return -1;
    if (pb) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return pa.domain - pb.domain || pa.bus - pb.bus || pa.device - pb.device || pa.fn - pb.fn;
}

/** Name order with numbers compared as numbers: dmar2 before dmar10. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}
