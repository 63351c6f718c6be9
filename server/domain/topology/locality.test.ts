import { describe, expect, it } from "vitest";
import { localTo, pcieLink, rootPortOf, switchUpstreamOf } from "./locality";

// HGX-like: root port 15:01.0 → switch 16:00.0 → ports 17:01.0 (GPU) and 17:02.0 (NIC).
const gpu = { address: "0000:19:00.0", ancestors: ["0000:15:01.0", "0000:16:00.0", "0000:17:01.0"] };
const nicSameSwitch = { address: "0000:1a:00.0", ancestors: ["0000:15:01.0", "0000:16:00.0", "0000:17:02.0"] };
const nicSameRootPort = { address: "0000:16:00.1", ancestors: ["0000:15:01.0"] };
const nicElsewhere = { address: "0000:3c:00.0", ancestors: ["0000:37:01.0", "0000:38:00.0", "0000:39:02.0"] };
const onRootBus = { address: "0000:00:14.0", ancestors: [] };

describe("PCIe locality", () => {
  it("classifies the link between two functions", () => {
    expect(pcieLink(gpu, nicSameSwitch)).toBe("same-switch");
    expect(pcieLink(gpu, nicSameRootPort)).toBe("same-root-port");
    expect(pcieLink(gpu, nicElsewhere)).toBeNull();
    expect(pcieLink(gpu, onRootBus)).toBeNull();
    expect(pcieLink(onRootBus, onRootBus)).toBeNull();
  });

  it("finds local candidates, closest first, never the target itself", () => {
    expect(localTo(gpu, [nicElsewhere, nicSameRootPort, nicSameSwitch, gpu]).map((x) => [x.device.address, x.link])).toEqual([
      ["0000:1a:00.0", "same-switch"],
      ["0000:16:00.1", "same-root-port"],
    ]);
  });

  it("names the root port and the switch above a function", () => {
    expect(rootPortOf(gpu)).toBe("0000:15:01.0");
    expect(switchUpstreamOf(gpu)).toBe("0000:16:00.0");
    expect(switchUpstreamOf(nicSameRootPort)).toBeNull();
    expect(rootPortOf(onRootBus)).toBeNull();
  });
});
