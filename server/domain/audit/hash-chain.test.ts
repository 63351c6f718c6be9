import { describe, expect, it } from "vitest";
import { GENESIS_HASH, canonicalJson, hashEvent, verifyRun, type ChainedFields } from "./hash-chain";

function chain(n: number) {
  const out: (ChainedFields & { id: bigint; hash: string })[] = [];
  let prev = GENESIS_HASH;
  for (let i = 0; i < n; i++) {
    const e: ChainedFields = {
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      actorId: "u1",
      actorEmail: "a@example.com",
      persona: "admin",
      action: "users.create",
      targetType: "user",
      targetId: `u${i}`,
      before: null,
      after: { name: `n${i}`, nested: { b: 1, a: [1, 2] } },
      requestId: `r${i}`,
      clientAddress: "127.0.0.1",
      result: "success",
      message: null,
      prevHash: prev,
    };
    const hash = hashEvent(e);
    out.push({ ...e, id: BigInt(i + 1), hash });
    prev = hash;
  }
  return out;
}

describe("canonicalJson", () => {
  it("sorts keys at every depth and drops undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
  });
  it("treats key order as irrelevant", () => {
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });
});

describe("verifyRun", () => {
  it("accepts an intact chain", () => {
    const c = chain(5);
    expect(verifyRun(c, GENESIS_HASH)).toEqual({ ok: true, lastHash: c[4]!.hash });
  });
  it("names a changed event", () => {
    const c = chain(5);
    c[2] = { ...c[2]!, after: { name: "forged" } };
    const r = verifyRun(c, GENESIS_HASH);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.break.id).toBe(3n);
  });
  it("names the event after a removed one", () => {
    const c = chain(5);
    c.splice(1, 1);
    const r = verifyRun(c, GENESIS_HASH);
    expect(r).toMatchObject({ ok: false, break: { id: 3n } });
  });
  it("detects reordering", () => {
    const c = chain(4);
    [c[1], c[2]] = [c[2]!, c[1]!];
    expect(verifyRun(c, GENESIS_HASH)).toMatchObject({ ok: false, break: { id: 3n } });
  });
});
