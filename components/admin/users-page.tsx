"use client";
import { useState } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { KeyRound, Pencil, Plus, Search } from "lucide-react";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { useTRPC } from "@/trpc/react";
import { Button } from "@/components/ui/button";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { Field, Input, Select } from "@/components/ui/input";
import { QueryState } from "@/components/ui/query-state";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { formatTime } from "@/lib/utils";
import { CheckboxField, Muted } from "@/components/common/bits";
import { DialogActions, FormDialog } from "@/components/common/dialogs";
import { FormRest, splitErrors } from "@/components/common/form-errors";
import { useMe } from "@/components/common/use-me";
import { useDebounced } from "@/components/common/use-debounced";

type User = inferRouterOutputs<AppRouter>["users"]["list"][number];
type Role = "admin" | "auditor" | "user";

const ROLE_HINT: Record<Role, string> = {
  admin: "Manages hosts, users, projects, resource groups and quotas; sees every session.",
  auditor: "Reads everything, including the audit trail; changes nothing.",
  user: "Launches sessions in the projects they are added to.",
};

export function UsersPage() {
  const trpc = useTRPC();
  const { can } = useMe();
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim());
  const users = useQuery(trpc.users.list.queryOptions(q ? { search: q } : undefined, { placeholderData: keepPreviousData }));
  const mayManage = can("users.manage");
  const rows = users.data ?? [];

  return (
    <>
      <PageHeader
        title="Users"
        description="Everyone who can sign in, their global role and resource policy. Project roles are set on the project."
        actions={mayManage ? <NewUserButton /> : null}
      />
      <div className="mb-4 flex items-center gap-2">
        <div className="relative w-full max-w-sm">
          <Search className="pointer-events-none absolute top-1/2 left-2.5 h-4 w-4 -translate-y-1/2 text-muted-fg" aria-hidden />
          <label htmlFor="user-search" className="sr-only">
            Search users by email or name
          </label>
          <Input id="user-search" type="search" className="pl-8" placeholder="Search by email or name" value={search} onChange={(e) => setSearch(e.target.value)} />
        </div>
      </div>
      <Card>
        <QueryState isLoading={users.isLoading} error={users.error}>
          {rows.length === 0 ? (
            q ? (
              <EmptyState title={`No user matches "${q}".`}>Try part of an email address or a name.</EmptyState>
            ) : (
              <EmptyState title="No users yet." action={mayManage ? <NewUserButton /> : null}>
                Create an account, then add it to a project.
              </EmptyState>
            )
          ) : (
            <Table>
              <caption className="sr-only">Users</caption>
              <thead>
                <tr>
                  <Th>User</Th>
                  <Th>Role</Th>
                  <Th>Projects</Th>
                  <Th>Resource policy</Th>
                  <Th>Created</Th>
                  {mayManage ? (
                    <Th>
                      <span className="sr-only">Actions</span>
                    </Th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {rows.map((u) => (
                  <Tr key={u.id} className={u.disabled ? "opacity-70" : undefined}>
                    <Td>
                      <div className="flex items-center gap-2">
                        <span className="font-medium">{u.email}</span>
                        {u.disabled ? <Badge tone="danger">disabled</Badge> : null}
                      </div>
                      <div className="text-xs text-muted-fg">{u.name}</div>
                    </Td>
                    <Td>
                      <Badge tone={u.role === "admin" ? "accent" : u.role === "auditor" ? "warn" : "neutral"}>{u.role}</Badge>
                    </Td>
                    <Td>
                      {u.memberships.length ? (
                        <div className="flex flex-wrap gap-1">
                          {u.memberships.map((m) => (
                            <Badge key={m.project.id}>
                              {m.project.name}
                              <span className="text-muted-fg">· {m.role}</span>
                            </Badge>
                          ))}
                        </div>
                      ) : (
                        <Muted>none</Muted>
                      )}
                    </Td>
                    <Td>{u.resourcePolicy?.name ?? <Muted>none</Muted>}</Td>
                    <Td className="whitespace-nowrap">{formatTime(u.createdAt).slice(0, 10)}</Td>
                    {mayManage ? (
                      <Td className="text-right whitespace-nowrap">
                        <div className="inline-flex gap-1">
                          <EditUserButton user={u} />
                          <SetPasswordButton user={u} />
                        </div>
                      </Td>
                    ) : null}
                  </Tr>
                ))}
              </tbody>
            </Table>
          )}
        </QueryState>
      </Card>
    </>
  );
}

function useInvalidateUsers() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.users.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.quotas.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.me.pathKey() }),
    ]);
}

function PolicySelect({ id, value, onChange }: { id: string; value: string; onChange: (v: string) => void }) {
  const trpc = useTRPC();
  const policies = useQuery(trpc.quotas.list.queryOptions());
  const options = (policies.data ?? []).filter((p) => p.scope === "user" || p.id === value);
  return (
    <Select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">none (unlimited)</option>
      {options.map((p) => (
        <option key={p.id} value={p.id}>
          {p.name}
        </option>
      ))}
    </Select>
  );
}

function RoleSelect({ id, value, onChange }: { id: string; value: Role; onChange: (r: Role) => void }) {
  return (
    <Select id={id} value={value} onChange={(e) => onChange(e.target.value as Role)}>
      <option value="user">user</option>
      <option value="auditor">auditor</option>
      <option value="admin">admin</option>
    </Select>
  );
}

function NewUserButton() {
  return (
    <FormDialog
      title="New user"
      description="The person signs in with this email and the initial password; give it to them over a safe channel."
      trigger={
        <Button>
          <Plus className="h-4 w-4" aria-hidden /> New user
        </Button>
      }
    >
      {(close) => <NewUserForm onDone={close} />}
    </FormDialog>
  );
}

function NewUserForm({ onDone }: { onDone: () => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateUsers();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("user");
  const [password, setPassword] = useState("");
  const [policyId, setPolicyId] = useState("");
  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: async () => {
        await invalidate();
        onDone();
      },
    }),
  );
  const errs = splitErrors(create.error, { email: "email", name: "name", role: "role", password: "password", resourcePolicyId: "policy" });
  return (
    <form
      className="grid gap-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate({ email: email.trim(), name, role, password, resourcePolicyId: policyId || null });
      }}
    >
      <Field id="user-email" label="Email" error={errs.field("email")}>
        <Input id="user-email" type="email" autoComplete="off" autoFocus value={email} onChange={(e) => setEmail(e.target.value)} {...errs.aria("email", "user-email")} />
      </Field>
      <Field id="user-name" label="Name" error={errs.field("name")}>
        <Input id="user-name" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} {...errs.aria("name", "user-name")} />
      </Field>
      <Field id="user-role" label="Role" error={errs.field("role")} hint={ROLE_HINT[role]}>
        <RoleSelect id="user-role" value={role} onChange={setRole} />
      </Field>
      <Field id="user-password" label="Initial password" error={errs.field("password")} hint="At least 12 characters.">
        <Input id="user-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} {...errs.aria("password", "user-password")} />
      </Field>
      <Field id="user-policy" label="Resource policy" error={errs.field("policy")} hint="Caps what this person may run across all projects.">
        <PolicySelect id="user-policy" value={policyId} onChange={setPolicyId} />
      </Field>
      <FormRest message={errs.rest} />
      <DialogActions pending={create.isPending} submitLabel="Create user" pendingLabel="Creating…" />
    </form>
  );
}

function EditUserButton({ user }: { user: User }) {
  return (
    <FormDialog
      title={`Edit ${user.email}`}
      trigger={
        <Button variant="ghost" size="sm" aria-label={`Edit user ${user.email}`}>
          <Pencil className="h-3.5 w-3.5" aria-hidden /> Edit
        </Button>
      }
    >
      {(close) => <EditUserForm user={user} onDone={close} />}
    </FormDialog>
  );
}

function EditUserForm({ user, onDone }: { user: User; onDone: () => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateUsers();
  const { me } = useMe();
  const [name, setName] = useState(user.name);
  const [role, setRole] = useState<Role>(user.role);
  const [disabled, setDisabled] = useState(user.disabled);
  const [policyId, setPolicyId] = useState(user.resourcePolicy?.id ?? "");
  const update = useMutation(
    trpc.users.update.mutationOptions({
      onSuccess: async () => {
        await invalidate();
        onDone();
      },
    }),
  );
  const errs = splitErrors(update.error, { name: "name", role: "role", disabled: "disabled", resourcePolicyId: "policy" });
  const self = me?.id === user.id;
  return (
    <form
      className="grid gap-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        update.mutate({ id: user.id, name, role, disabled, resourcePolicyId: policyId || null });
      }}
    >
      <Field id="edit-user-name" label="Name" error={errs.field("name")}>
        <Input id="edit-user-name" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} {...errs.aria("name", "edit-user-name")} />
      </Field>
      <Field id="edit-user-role" label="Role" error={errs.field("role")} hint={self ? "You cannot demote yourself." : ROLE_HINT[role]}>
        <RoleSelect id="edit-user-role" value={role} onChange={setRole} />
      </Field>
      <Field id="edit-user-policy" label="Resource policy" error={errs.field("policy")}>
        <PolicySelect id="edit-user-policy" value={policyId} onChange={setPolicyId} />
      </Field>
      <CheckboxField
        id="edit-user-disabled"
        label="Disabled"
        hint={self ? "You cannot disable yourself." : "A disabled user is signed out everywhere at once and cannot sign in. Their sessions keep running."}
        checked={disabled}
        onChange={setDisabled}
      />
      <FormRest message={errs.rest} />
      <DialogActions pending={update.isPending} submitLabel="Save changes" />
    </form>
  );
}

function SetPasswordButton({ user }: { user: User }) {
  return (
    <FormDialog
      title={`Set password for ${user.email}`}
      description="They are signed out everywhere and sign in again with the new password."
      trigger={
        <Button variant="ghost" size="sm" aria-label={`Set password for ${user.email}`}>
          <KeyRound className="h-3.5 w-3.5" aria-hidden /> Set password
        </Button>
      }
    >
      {(close) => <SetPasswordForm user={user} onDone={close} />}
    </FormDialog>
  );
}

function SetPasswordForm({ user, onDone }: { user: User; onDone: () => void }) {
  const trpc = useTRPC();
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [mismatch, setMismatch] = useState(false);
  const set = useMutation(trpc.users.setPassword.mutationOptions({ onSuccess: onDone }));
  const errs = splitErrors(set.error, { password: "password" }, { confirm: mismatch ? "does not match the password above" : undefined });
  return (
    <form
      className="grid gap-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const bad = password !== confirm;
        setMismatch(bad);
        if (!bad) set.mutate({ id: user.id, password });
      }}
    >
      <Field id="pw-new" label="New password" error={errs.field("password")} hint="At least 12 characters.">
        <Input id="pw-new" type="password" autoComplete="new-password" autoFocus value={password} onChange={(e) => setPassword(e.target.value)} {...errs.aria("password", "pw-new")} />
      </Field>
      <Field id="pw-confirm" label="Repeat it" error={errs.field("confirm")}>
        <Input id="pw-confirm" type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} {...errs.aria("confirm", "pw-confirm")} />
      </Field>
      <FormRest message={errs.rest} />
      <DialogActions pending={set.isPending} submitLabel="Set password" />
    </form>
  );
}
