import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  escapeEnvironValue,
  parseEnvironTxt,
  parseResourceTxt,
  renderEnvironTxt,
  renderHostsFile,
  renderIntrinsicPortsJson,
  renderResourceTxt,
  type ResourceRecord,
} from "./config-files";

describe("environ.txt", () => {
  it("writes one KEY=VALUE per line, escaping what would break a line", () => {
    const text = renderEnvironTxt([
      ["A", "plain value = with equals"],
      ["B", "two\nlines"],
      ["C", "back\\slash and \\n literally"],
      ["D", "cr\r"],
      ["E", ""],
    ]);
    expect(text).toBe("A=plain value = with equals\nB=two\\nlines\nC=back\\\\slash and \\\\n literally\nD=cr\\r\nE=\n");
    expect(text.split("\n")).toHaveLength(6);
  });

  it("round-trips any values (property)", () => {
    const key = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/);
    const value = fc.string({ unit: fc.constantFrom("a", "=", "\\", "n", "\n", "\r", " ", "é", "\t") , maxLength: 20 });
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 8 }), (pairs) => {
        const text = renderEnvironTxt(pairs);
        expect(parseEnvironTxt(text)).toEqual(pairs);
        expect(text.split("\n").filter((l) => l !== "")).toHaveLength(pairs.length);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses bad names, duplicates and NUL", () => {
    expect(() => renderEnvironTxt([["1X", "v"]])).toThrow(/"1X" is not a valid name/);
    expect(() => renderEnvironTxt([["A=B", "v"]])).toThrow(/not a valid name/);
    expect(() => renderEnvironTxt([["A", "1"], ["A", "2"]])).toThrow("environment variable A is set twice");
    expect(() => escapeEnvironValue("a\0b")).toThrow(/NUL/);
  });
});

describe("intrinsic-ports.json", () => {
  it("writes Backend.AI's default ports", () => {
    expect(JSON.parse(renderIntrinsicPortsJson())).toEqual({ replin: 2000, replout: 2001, sshd: 2200, ttyd: 7681 });
  });
  it("refuses a port out of range or used twice", () => {
    expect(() => renderIntrinsicPortsJson({ sshd: 70000 })).toThrow("intrinsic port for sshd is 70000; allowed: 1–65535");
    expect(() => renderIntrinsicPortsJson({ sshd: 22, ttyd: 22 })).toThrow("intrinsic ports of sshd and ttyd are both 22");
  });
});

describe("resource.txt", () => {
  const record: ResourceRecord = {
    sessionId: "s-1",
    kernelId: "k-1",
    clusterRole: "main",
    clusterIdx: 0,
    slots: { cpu: 8, memBytes: 64 * 2 ** 30, "cuda.device": 2 },
    gpuAddresses: ["0000:18:00.0", "0000:2a:00.0"],
    iommuGroups: [33, 51],
    nicAddresses: [],
    mounts: ["/mnt/vfstore/a:/home/work/a:rw"],
    sandboxId: "",
    containerId: "",
  };
  it("records slots, PCI addresses and IOMMU groups and reads them back", () => {
    const text = renderResourceTxt(record);
    expect(text).toContain('SLOTS={"cpu":"8","mem":"68719476736","cuda.device":"2"}\n');
    expect(text).toContain("CUDA_VFIO_DEVICES=0000:18:00.0,0000:2a:00.0\n");
    expect(text).toContain("CUDA_VFIO_IOMMU_GROUPS=33,51\n");
    expect(parseResourceTxt(text)).toEqual(record);
  });
  it("says which line is missing", () => {
    expect(() => parseResourceTxt("SESSION_ID=s\n")).toThrow("resource.txt has no KERNEL_ID line");
  });
});

describe("hosts", () => {
  it("lists localhost and every member with a known address", () => {
    expect(
      renderHostsFile([
        { hostname: "main1", address: "10.244.1.5" },
        { hostname: "sub1", address: "10.244.7.9" },
        { hostname: "sub2", address: null },
      ]),
    ).toBe("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.244.1.5\tmain1\n10.244.7.9\tsub1\n");
  });
  it("refuses bad names, bad addresses and duplicates", () => {
    expect(() => renderHostsFile([{ hostname: "main 1", address: null }])).toThrow(/not a valid host name/);
    expect(() => renderHostsFile([{ hostname: "main1", address: "10.0.0.300" }])).toThrow(/not an IPv4 address/);
    expect(() => renderHostsFile([{ hostname: "main1", address: null }, { hostname: "main1", address: null }])).toThrow(/appears twice/);
  });
});
