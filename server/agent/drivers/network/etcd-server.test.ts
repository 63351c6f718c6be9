import { describe, expect, it } from "vitest";
import { ETCD_MISSING_MESSAGE, findEtcdBinary, startEtcdServer } from "./etcd-server";

describe("etcd test server", () => {
  it("fails with an install hint when the binary is missing (never a silent skip)", async () => {
    expect(() => findEtcdBinary("/nonexistent/etcd")).toThrow(/install Debian's etcd-server package/i);
    await expect(startEtcdServer({ binary: "hypercell-no-such-etcd" })).rejects.toThrow(ETCD_MISSING_MESSAGE);
  });
});
