"use client";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Pencil, Plus, UserPlus } from "lucide-react";
import { useTRPC } from "@/trpc/react";
import type { AppRouter } from "@/server/api/root";
import type { inferRouterOutputs } from "@trpc/server";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { Field, Input, Select, Textarea } from "@/components/ui/input";
import { QueryState } from "@/components/ui/query-state";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { formatTime } from "@/lib/utils";
import { CheckboxField, Muted } from "@/components/common/bits";
import { ConfirmDialog, DialogActions, FormDialog } from "@/components/common/dialogs";
import { FormRest, splitErrors } from "@/components/common/form-errors";
import { useMe } from "@/components/common/use-me";

type Project = inferRouterOutputs<AppRouter>["projects"]["list"][number];

/** Projects with their members, resource groups and policy. Admins create and edit; owners manage members. */
export function ProjectsPage() {
  const trpc = useTRPC();
  const { can, scope } = useMe();
  const projects = useQuery(trpc.projects.list.queryOptions());
  const mayManage = can("projects.manage");
  const rows = projects.data ?? [];

  return (
    <>
      <PageHeader
        title="Projects"
        description={
          scope("projects.read") === "all"
            ? "Every project, who is in it, which resource groups it may launch into and which resource policy caps it."
            : "The projects you belong to: who is in them, where they may launch sessions and what caps them."
        }
        actions={mayManage ? <NewProjectButton /> : null}
      />
      <QueryState isLoading={projects.isLoading} error={projects.error}>
        {rows.length === 0 ? (
          <Card>
            <EmptyState title={mayManage ? "No projects yet." : "You are not in any project yet."} action={mayManage ? <NewProjectButton /> : null}>
              {mayManage
                ? "Create one, give it resource groups and a resource policy, then add its owner by email; the owner can add the rest of the team."
                : "Ask an admin or a project owner to add you to one. Once you are in a project you can launch sessions in it."}
            </EmptyState>
          </Card>
        ) : (
          <div className="grid gap-6">
            {rows.map((p) => (
              <ProjectCard key={p.id} project={p} mayEdit={mayManage} mayManageMembers={can("projects.members.manage", p.id)} />
            ))}
          </div>
        )}
      </QueryState>
    </>
  );
}

function ProjectCard({ project: p, mayEdit, mayManageMembers }: { project: Project; mayEdit: boolean; mayManageMembers: boolean }) {
  return (
    <Card aria-labelledby={`project-${p.id}`}>
      <CardHeader
        title={
          <span id={`project-${p.id}`} className="inline-flex items-center gap-2">
            {p.name}
            {!p.isActive ? <Badge tone="warn">inactive</Badge> : null}
          </span>
        }
        description={p.description || undefined}
        actions={
          <>
            {mayManageMembers ? <MemberDialog project={p} /> : null}
            {mayEdit ? <EditProjectButton project={p} /> : null}
          </>
        }
      />
      <div className="grid lg:grid-cols-[1fr_18rem]">
        <div className="min-w-0 border-border lg:border-r">
          {p.memberships.length === 0 ? (
            <EmptyState title="No members yet.">{mayManageMembers ? "Add an owner by email; owners can add the rest of the team." : "An admin adds the first owner."}</EmptyState>
          ) : (
            <Table className="[&_tbody_tr:last-child_td]:border-b-0">
              <caption className="sr-only">Members of {p.name}</caption>
              <thead>
                <tr>
                  <Th>Member</Th>
                  <Th>Role</Th>
                  {mayManageMembers ? (
                    <Th>
                      <span className="sr-only">Actions</span>
                    </Th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {p.memberships.map((m) => (
                  <Tr key={m.user.id}>
                    <Td>
                      <div className="flex items-center gap-2">
                        <span className="font-medium">{m.user.email}</span>
                        {m.user.disabled ? <Badge tone="danger">disabled</Badge> : null}
                      </div>
                      <div className="text-xs text-muted-fg">{m.user.name}</div>
                    </Td>
                    <Td>
                      <Badge tone={m.role === "owner" ? "accent" : "neutral"}>{m.role}</Badge>
                    </Td>
                    {mayManageMembers ? (
                      <Td className="text-right whitespace-nowrap">
                        <MemberActions project={p} member={m} />
                      </Td>
                    ) : null}
                  </Tr>
                ))}
              </tbody>
            </Table>
          )}
        </div>
        <CardBody className="grid content-start gap-4 text-sm">
          <div>
            <div className="text-xs font-medium tracking-wide text-muted-fg uppercase">Resource groups</div>
            <div className="mt-1 flex flex-wrap gap-1">
              {p.resourceGroups.length ? p.resourceGroups.map((r) => <Badge key={r.resourceGroup.id}>{r.resourceGroup.name}</Badge>) : <Muted>public groups only</Muted>}
            </div>
          </div>
          <div>
            <div className="text-xs font-medium tracking-wide text-muted-fg uppercase">Resource policy</div>
            <div className="mt-1">{p.resourcePolicy?.name ?? <Muted>none (unlimited)</Muted>}</div>
          </div>
          <div className="flex gap-8">
            <div>
              <div className="text-xs font-medium tracking-wide text-muted-fg uppercase">Sessions</div>
              <div className="mt-1 tabular-nums">{p._count.sessions}</div>
            </div>
            <div>
              <div className="text-xs font-medium tracking-wide text-muted-fg uppercase">Created</div>
              <div className="mt-1">{formatTime(p.createdAt).slice(0, 10)}</div>
            </div>
          </div>
        </CardBody>
      </div>
    </Card>
  );
}

function useInvalidateProjects() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.projects.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.me.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.users.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.quotas.pathKey() }),
    ]);
}

function MemberActions({ project, member }: { project: Project; member: Project["memberships"][number] }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateProjects();
  const setMember = useMutation(trpc.projects.setMember.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(trpc.projects.removeMember.mutationOptions({ onSuccess: invalidate }));
  const other = member.role === "owner" ? "member" : "owner";
  return (
    <div className="inline-flex flex-col items-end gap-1">
      <div className="inline-flex gap-1">
        <Button
          variant="ghost"
          size="sm"
          disabled={setMember.isPending}
          onClick={() => setMember.mutate({ projectId: project.id, email: member.user.email, role: other })}
          aria-label={`Make ${member.user.email} ${other} of ${project.name}`}
        >
          Make {other}
        </Button>
        <ConfirmDialog
          trigger={
            <Button variant="ghost" size="sm" className="text-danger" aria-label={`Remove ${member.user.email} from ${project.name}`}>
              Remove
            </Button>
          }
          title={`Remove ${member.user.email}?`}
          confirmLabel="Remove member"
          pendingLabel="Removing…"
          onConfirm={() => remove.mutateAsync({ projectId: project.id, userId: member.user.id })}
        >
          They lose access to {project.name} and its sessions at once. Sessions they already launched keep running until someone terminates them.
        </ConfirmDialog>
      </div>
      {setMember.error ? (
        <p role="alert" className="max-w-64 text-right text-xs whitespace-normal text-danger">
          {setMember.error.message}
        </p>
      ) : null}
    </div>
  );
}

function MemberDialog({ project }: { project: Project }) {
  return (
    <FormDialog
      title={`Add a member to ${project.name}`}
      description="Adds the person with this email, or changes their role if they are already in the project. An admin creates accounts under Admin → Users."
      trigger={
        <Button variant="secondary" size="sm">
          <UserPlus className="h-3.5 w-3.5" aria-hidden /> Add member
        </Button>
      }
    >
      {(close) => <MemberForm project={project} onDone={close} />}
    </FormDialog>
  );
}

function MemberForm({ project, onDone }: { project: Project; onDone: () => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateProjects();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<"owner" | "member">("member");
  const setMember = useMutation(
    trpc.projects.setMember.mutationOptions({
      onSuccess: async () => {
        await invalidate();
        onDone();
      },
    }),
  );
  const errs = splitErrors(setMember.error, { email: "email", role: "role" });
  return (
    <form
      className="grid gap-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setMember.mutate({ projectId: project.id, email: email.trim(), role });
      }}
    >
      <Field id="member-email" label="Email" error={errs.field("email")}>
        <Input id="member-email" type="email" autoComplete="off" autoFocus value={email} onChange={(e) => setEmail(e.target.value)} {...errs.aria("email", "member-email")} />
      </Field>
      <Field id="member-role" label="Role" error={errs.field("role")} hint="Owners also add and remove members.">
        <Select id="member-role" value={role} onChange={(e) => setRole(e.target.value as "owner" | "member")}>
          <option value="member">member</option>
          <option value="owner">owner</option>
        </Select>
      </Field>
      <FormRest message={errs.rest} />
      <DialogActions pending={setMember.isPending} submitLabel="Add member" pendingLabel="Adding…" />
    </form>
  );
}

function NewProjectButton() {
  return (
    <FormDialog
      title="New project"
      description="A project groups people, their sessions and their limits."
      className="w-[min(94vw,36rem)]"
      trigger={
        <Button>
          <Plus className="h-4 w-4" aria-hidden /> New project
        </Button>
      }
    >
      {(close) => <ProjectForm onDone={close} />}
    </FormDialog>
  );
}

function EditProjectButton({ project }: { project: Project }) {
  return (
    <FormDialog
      title={`Edit ${project.name}`}
      className="w-[min(94vw,36rem)]"
      trigger={
        <Button variant="secondary" size="sm" aria-label={`Edit project ${project.name}`}>
          <Pencil className="h-3.5 w-3.5" aria-hidden /> Edit
        </Button>
      }
    >
      {(close) => <ProjectForm project={project} onDone={close} />}
    </FormDialog>
  );
}

const PROJECT_FIELDS = { name: "name", description: "description", resourcePolicyId: "policy", resourceGroupIds: "groups" };

function ProjectForm({ project, onDone }: { project?: Project; onDone: () => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateProjects();
  const groups = useQuery(trpc.resourceGroups.list.queryOptions());
  const policies = useQuery(trpc.quotas.list.queryOptions());
  const [name, setName] = useState(project?.name ?? "");
  const [description, setDescription] = useState(project?.description ?? "");
  const [isActive, setIsActive] = useState(project?.isActive ?? true);
  const [policyId, setPolicyId] = useState(project?.resourcePolicy?.id ?? "");
  const [groupIds, setGroupIds] = useState<string[]>(project?.resourceGroups.map((r) => r.resourceGroup.id) ?? []);
  const opts = {
    onSuccess: async () => {
      await invalidate();
      onDone();
    },
  };
  const create = useMutation(trpc.projects.create.mutationOptions(opts));
  const update = useMutation(trpc.projects.update.mutationOptions(opts));
  const m = project ? update : create;
  const errs = splitErrors(m.error, PROJECT_FIELDS);
  const projectPolicies = (policies.data ?? []).filter((p) => p.scope === "project" || p.id === policyId);

  function submit(e: React.FormEvent) {
    e.preventDefault();
    if (project) update.mutate({ id: project.id, description, isActive, resourcePolicyId: policyId || null, resourceGroupIds: groupIds });
    else create.mutate({ name: name.trim(), description, resourcePolicyId: policyId || null, resourceGroupIds: groupIds });
  }

  return (
    <form className="grid gap-4" noValidate onSubmit={submit}>
      <Field id="project-name" label="Name" error={errs.field("name")} hint={project ? "A project's name cannot be changed." : "Lowercase letters, digits and '-', e.g. vision-lab."}>
        <Input id="project-name" value={name} onChange={(e) => setName(e.target.value)} disabled={!!project} autoComplete="off" autoFocus={!project} {...errs.aria("name", "project-name")} />
      </Field>
      <Field id="project-description" label="Description" error={errs.field("description")}>
        <Textarea id="project-description" value={description} onChange={(e) => setDescription(e.target.value)} {...errs.aria("description", "project-description")} />
      </Field>
      <fieldset className="grid gap-2">
        <legend className="mb-1 text-sm font-medium">Resource groups</legend>
        {groups.isLoading ? <p className="text-sm text-muted-fg">Loading…</p> : null}
        {groups.data?.length === 0 ? <p className="text-sm text-muted-fg">No resource groups exist yet; create one under Admin → Resource groups.</p> : null}
        <div className="grid gap-2 sm:grid-cols-2">
          {groups.data?.map((g) => (
            <CheckboxField
              key={g.id}
              id={`project-rg-${g.id}`}
              label={g.name}
              hint={`${g.backend}${g.isPublic ? " · public" : ""}${g.isActive ? "" : " · inactive"}`}
              checked={groupIds.includes(g.id)}
              onChange={(v) => setGroupIds((ids) => (v ? [...ids, g.id] : ids.filter((x) => x !== g.id)))}
            />
          ))}
        </div>
        <p className="text-xs text-muted-fg">Public groups are open to every project; tick them here only to keep access if they are made private.</p>
        {errs.field("groups") ? (
          <p role="alert" className="text-xs text-danger">
            {errs.field("groups")}
          </p>
        ) : null}
      </fieldset>
      <Field id="project-policy" label="Resource policy" error={errs.field("policy")} hint="Caps the project's total GPUs, vCPUs, memory and sessions.">
        <Select id="project-policy" value={policyId} onChange={(e) => setPolicyId(e.target.value)}>
          <option value="">none (unlimited)</option>
          {projectPolicies.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </Select>
      </Field>
      {project ? (
        <CheckboxField id="project-active" label="Active" hint="Inactive projects cannot launch new sessions; running ones are left alone." checked={isActive} onChange={setIsActive} />
      ) : null}
      <FormRest message={errs.rest} />
      <DialogActions pending={m.isPending} submitLabel={project ? "Save changes" : "Create project"} />
    </form>
  );
}
