/**
 * One spelling for a PCI address, so that a GPU named by the kernel's XID line ("PCI:0000:19:00",
 * no function), by the DCGM exporter ("00000000:1A:00.0", eight-digit domain, upper case), by
 * nvidia-smi or by lspci ("19:00.0", no domain) compares equal: "dddd:bb:dd.f", lower case.
 */
const PCI_RE = /^(?:PCI:)?(?:([0-9a-fA-F]{1,8}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})(?:\.([0-7]))?$/;

/** The canonical form, or null when `raw` is not a PCI address. A missing function means 0. */
export function normalizePciAddress(raw: string): string | null {
  const m = PCI_RE.exec(raw.trim());
  if (!m) return null;
  const domain = m[1] === undefined ? 0 : parseInt(m[1], 16);
  // Domains above 0xffff exist (VMD, some hypervisors); keep all their digits then.
  const d = domain > 0xffff ? domain.toString(16).padStart(8, "0") : domain.toString(16).padStart(4, "0");
  const bus = m[2]!.toLowerCase().padStart(2, "0");
  const dev = m[3]!.toLowerCase().padStart(2, "0");
  return `${d}:${bus}:${dev}.${m[4] ?? "0"}`;
}
