import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dominantShare, sequenceDrf, sequenceFifo, sequenceLifo, sequencePending, type PendingSession } from "./sequencers";

const s = (id: string, userId: string, createdAt: number, gpus = 1): PendingSession => ({ id, userId, createdAt, requested: { cpu: 8, memBytes: 64, gpus } });
const capacity = { cpu: 128, memBytes: 1024, gpus: 16 };

describe("sequencers", () => {
  const queue = [s("c", "u1", 3), s("a", "u1", 1), s("b", "u2", 2)];

  it("fifo is oldest first, lifo newest first", () => {
    expect(sequenceFifo(queue).map((x) => x.id)).toEqual(["a", "b", "c"]);
    expect(sequenceLifo(queue).map((x) => x.id)).toEqual(["c", "b", "a"]);
    expect(sequencePending("fifo", queue).map((x) => x.id)).toEqual(["a", "b", "c"]);
  });

  it("drf serves the user with the smaller dominant share first, FIFO within a user", () => {
    const usage = new Map([["u1", { cpu: 0, memBytes: 0, gpus: 8 }]]);
    expect(sequenceDrf(queue, { capacity, usageByUser: usage }).map((x) => x.id)).toEqual(["b", "a", "c"]);
  });

  it("drf interleaves users as their shares grow", () => {
    const many = [s("a1", "a", 1, 4), s("a2", "a", 2, 4), s("a3", "a", 3, 4), s("b1", "b", 4, 4), s("b2", "b", 5, 4)];
    expect(sequenceDrf(many, { capacity, usageByUser: new Map() }).map((x) => x.id)).toEqual(["a1", "b1", "a2", "b2", "a3"]);
  });

  it("dominant share is the largest fraction of any resource", () => {
    expect(dominantShare({ cpu: 64, memBytes: 128, gpus: 2 }, capacity)).toBe(0.5);
  });

  it("every sequencer returns a permutation, and drf keeps each user's sessions in FIFO order (property)", () => {
    const arb = fc.array(fc.record({ user: fc.constantFrom("u1", "u2", "u3"), t: fc.integer({ min: 0, max: 50 }), gpus: fc.integer({ min: 0, max: 8 }) }), { maxLength: 30 });
    fc.assert(
      fc.property(arb, (rows) => {
        const sessions = rows.map((r, i) => s(`s${i}`, r.user, r.t, r.gpus));
        for (const kind of ["fifo", "lifo", "drf"] as const) {
          const out = sequencePending(kind, sessions, { capacity, usageByUser: new Map() });
          expect(out.map((x) => x.id).sort()).toEqual(sessions.map((x) => x.id).sort());
        }
        const drf = sequenceDrf(sessions, { capacity, usageByUser: new Map() });
        for (const user of ["u1", "u2", "u3"]) {
          const mine = drf.filter((x) => x.userId === user);
          expect(mine).toEqual(sequenceFifo(mine));
        }
      }),
      { numRuns: 200 },
    );
  });
});
