import { describe, expect, it } from "vitest";
import { PERMISSIONS, ROLE_PERMISSIONS, isMutationPermission, mayInProject, projectsWith, type Actor } from "./permissions";

const owner: Actor = { id: "o", email: "o@x", role: "user", memberships: [{ projectId: "A", role: "owner" }, { projectId: "B", role: "member" }] };

describe("permission table", () => {
  it("gives auditors no mutation except exporting and verifying the audit trail", () => {
    const mutations = ROLE_PERMISSIONS.auditor.filter(isMutationPermission);
    expect(mutations.sort()).toEqual(["audit.export", "audit.verify"]);
  });
  it("gives admins every permission", () => {
    expect([...ROLE_PERMISSIONS.admin].sort()).toEqual([...PERMISSIONS].sort());
  });
  it("scopes project permissions to the projects that grant them", () => {
    expect(projectsWith(owner, "sessions.read")).toEqual(["A", "B"]);
    expect(projectsWith(owner, "projects.members.manage")).toEqual(["A"]);
    expect(mayInProject(owner, "sessions.create", "C")).toBe(false);
    expect(projectsWith({ ...owner, role: "auditor" }, "sessions.read")).toBe("all");
    expect(projectsWith({ ...owner, role: "auditor" }, "sessions.create")).toEqual([]);
  });
  it("never lets a plain user read hosts", () => {
    expect(projectsWith(owner, "hosts.read")).toEqual([]);
  });
});
