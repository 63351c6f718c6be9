import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { AppError } from "../../../errors";
import { containerdError, hasGrpcCode, sandboxApiMissingMessage, type CallContext } from "./containerd-errors";

const ctx: CallContext = { action: "create container", object: 'container "k1"', namespace: "hypercell", address: "unix:///run/containerd/containerd.sock" };

function grpcError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(`${code} ${grpc.status[code]}: ${details}`), { code, details, metadata: new grpc.Metadata() });
}

describe("containerdError", () => {
  it.each([
    [grpc.status.NOT_FOUND, "NOT_FOUND", /container "k1" does not exist in containerd namespace "hypercell"/],
    [grpc.status.ALREADY_EXISTS, "CONFLICT", /container "k1" already exists .*delete it first or choose another id/],
    [grpc.status.FAILED_PRECONDITION, "PRECONDITION_FAILED", /not in a state that allows "create container"/],
    [grpc.status.INVALID_ARGUMENT, "BAD_INPUT", /rejected "create container"/],
    [grpc.status.UNAVAILABLE, "RUNTIME_ERROR", /not reachable at unix:\/\/\/run\/containerd\/containerd\.sock.*is the daemon running/],
    [grpc.status.UNIMPLEMENTED, "RUNTIME_ERROR", /this containerd does not offer "create container" \(container "k1"\); the call needs a newer containerd/],
    [grpc.status.DEADLINE_EXCEEDED, "RUNTIME_ERROR", /did not finish "create container"/],
    [grpc.status.UNKNOWN, "RUNTIME_ERROR", /containerd could not create container/],
  ])("maps gRPC %s to %s with a message that names the object", (code, appCode, message) => {
    const err = containerdError(grpcError(code, "containerd says why"), ctx);
    expect(err.code).toBe(appCode);
    expect(err.message).toMatch(message);
    // containerd's own words and the gRPC code stay at the end.
    expect(err.message).toMatch(new RegExp(`\\(containerd ${grpc.status[code]}: containerd says why\\)$`));
    expect(err.details).toMatchObject({ namespace: "hypercell", grpcCode: grpc.status[code] });
  });

  it("prefers a call's own hint", () => {
    const err = containerdError(grpcError(grpc.status.NOT_FOUND, "x"), { ...ctx, hints: { notFound: "create it before starting its task" } });
    expect(err.message).toMatch(/^create it before starting its task/);
  });

  it("names the daemon's version when UNIMPLEMENTED, and takes the Sandbox API's own hint", () => {
    expect(containerdError(grpcError(grpc.status.UNIMPLEMENTED, "x"), { ...ctx, daemonVersion: "1.6.20~ds1" }).message).toMatch(/^this containerd \(1\.6\.20~ds1\) does not offer "create container"/);
    const err = containerdError(grpcError(grpc.status.UNIMPLEMENTED, "unknown service containerd.services.sandbox.v1.Store"), {
      ...ctx,
      action: "record sandbox",
      object: 'sandbox "k1-sandbox"',
      hints: { unimplemented: `cannot record sandbox: ${sandboxApiMissingMessage("1.6.20~ds1")}` },
    });
    expect(err).toMatchObject({ code: "RUNTIME_ERROR", details: { grpcCode: "UNIMPLEMENTED" } });
    expect(err.message).toBe("cannot record sandbox: the Sandbox API needs containerd 1.7 or newer (this daemon is 1.6.20~ds1) (containerd UNIMPLEMENTED: unknown service containerd.services.sandbox.v1.Store)");
    expect(sandboxApiMissingMessage()).toMatch(/this daemon is of unknown version/);
  });

  it("strips grpc-go's wrapping from containerd's words", () => {
    const err = containerdError(grpcError(grpc.status.UNKNOWN, "rpc error: code = Unknown desc = runc create failed"), ctx);
    expect(err.message).toMatch(/\(containerd UNKNOWN: runc create failed\)$/);
  });

  it("passes AppErrors through and wraps other errors as RUNTIME_ERROR", () => {
    const app = new AppError("NOT_FOUND", "mine");
    expect(containerdError(app, ctx)).toBe(app);
    expect(containerdError(new Error("socket hang up"), ctx)).toMatchObject({ code: "RUNTIME_ERROR", message: expect.stringMatching(/socket hang up/) });
  });

  it("hasGrpcCode tells codes apart", () => {
    expect(hasGrpcCode(grpcError(grpc.status.NOT_FOUND, ""), grpc.status.NOT_FOUND)).toBe(true);
    expect(hasGrpcCode(grpcError(grpc.status.NOT_FOUND, ""), grpc.status.ALREADY_EXISTS)).toBe(false);
    expect(hasGrpcCode(new Error("x"), grpc.status.NOT_FOUND)).toBe(false);
  });
});
