export const E2E_PASSWORDS = {
  admin: "e2e-admin-password",
  owner: "e2e-owner-password",
  auditor: "e2e-auditor-password",
  member: "e2e-member-password",
};
