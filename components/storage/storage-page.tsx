"use client";
import { useState } from "react";
import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Plus, Trash2 } from "lucide-react";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { useTRPC } from "@/trpc/react";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { Field, Input, Select, Textarea } from "@/components/ui/input";
import { QueryState } from "@/components/ui/query-state";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { Muted } from "@/components/common/bits";
import { ConfirmDialog, DialogActions, FormDialog } from "@/components/common/dialogs";
import { FormRest, splitErrors } from "@/components/common/form-errors";
import { useMe } from "@/components/common/use-me";

type Outputs = inferRouterOutputs<AppRouter>["vfolders"];
type Volume = Outputs["volumes"][number];
type Vfolder = Outputs["list"][number];

const FS_TYPES = ["nfs", "nfs4", "lustre", "wekafs"] as const;

export function StoragePage() {
  const trpc = useTRPC();
  const { can } = useMe();
  const volumes = useQuery(trpc.vfolders.volumes.queryOptions());
  const vfolders = useQuery(trpc.vfolders.list.queryOptions());
  const mayManageVolumes = can("storage.manage");
  const mayCreateVfolder = can("vfolders.manage") && (volumes.data?.length ?? 0) > 0;
  return (
    <>
      <PageHeader
        title="Storage"
        description="Virtual folders keep data beyond a session. Each lives on a storage volume that the GPU hosts mount; a session's VM mounts its vfolders itself, so a session waits for a host that can reach all of them."
        actions={mayCreateVfolder ? <NewVfolderButton volumes={volumes.data ?? []} /> : null}
      />
      <Card className="mb-6">
        <CardHeader title="Virtual folders" description="Owners create and delete their projects' vfolders; members mount them in sessions." />
        <QueryState isLoading={vfolders.isLoading} error={vfolders.error}>
          {!vfolders.data?.length ? (
            <EmptyState title="No vfolders yet." action={mayCreateVfolder ? <NewVfolderButton volumes={volumes.data ?? []} /> : null}>
              {mayCreateVfolder ? "Create one, then pick it in the launch dialog." : "A project owner creates vfolders for the project."}
            </EmptyState>
          ) : (
            <VfolderTable rows={vfolders.data} />
          )}
        </QueryState>
      </Card>
      <Card>
        <CardHeader title="Storage volumes" description="What the hosts mount. A host can mount a volume when one of its [[kata.storage-mounts]] holds the volume's mountpoint." actions={mayManageVolumes ? <NewVolumeButton /> : null} />
        <QueryState isLoading={volumes.isLoading} error={volumes.error}>
          {!volumes.data?.length ? (
            <EmptyState title="No storage volumes." action={mayManageVolumes ? <NewVolumeButton /> : null}>
              {mayManageVolumes ? "Register the volume your hosts mount (an NFS export, a Lustre filesystem)." : "An admin registers the volumes the hosts mount."}
            </EmptyState>
          ) : (
            <VolumeTable rows={volumes.data} mayManage={mayManageVolumes} />
          )}
        </QueryState>
      </Card>
    </>
  );
}

function VfolderTable({ rows }: { rows: Vfolder[] }) {
  return (
    <Table>
      <caption className="sr-only">Virtual folders</caption>
      <thead>
        <tr>
          <Th>Name</Th>
          <Th>Project</Th>
          <Th>Volume</Th>
          <Th>Host path</Th>
          <Th>Mounted by</Th>
          <Th>Created</Th>
          <Th>
            <span className="sr-only">Actions</span>
          </Th>
        </tr>
      </thead>
      <tbody>
        {rows.map((v) => (
          <Tr key={v.id}>
            <Td className="min-w-36">
              <div className="font-mono font-medium">{v.name}</div>
              {v.description ? <div className="text-xs text-muted-fg">{v.description}</div> : null}
            </Td>
            <Td>{v.project.name}</Td>
            <Td>
              {v.volume.name} <span className="text-xs text-muted-fg">({v.volume.fsType})</span>
            </Td>
            <Td className="max-w-72 truncate font-mono text-xs" title={v.hostPath}>
              {v.hostPath}
            </Td>
            <Td>
              {v.mountedBy.length ? (
                <ul className="grid gap-0.5">
                  {v.mountedBy.map((s) => (
                    <li key={s.id}>
                      <Link href={`/sessions/${s.id}`} className="text-accent hover:underline">
                        {s.name}
                      </Link>{" "}
                      <span className="text-xs text-muted-fg">{s.status.toLowerCase()}</span>
                    </li>
                  ))}
                </ul>
              ) : (
                <Muted>no live session</Muted>
              )}
            </Td>
            <Td className="whitespace-nowrap text-xs text-muted-fg">
              {new Date(v.createdAt).toLocaleDateString()} · {v.createdBy.email}
            </Td>
            <Td className="text-right">{v.mayManage ? <DeleteVfolderButton vfolder={v} /> : null}</Td>
          </Tr>
        ))}
      </tbody>
    </Table>
  );
}

function VolumeTable({ rows, mayManage }: { rows: Volume[]; mayManage: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const del = useMutation(trpc.vfolders.deleteVolume.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.vfolders.pathKey() }) }));
  return (
    <Table>
      <caption className="sr-only">Storage volumes</caption>
      <thead>
        <tr>
          <Th>Name</Th>
          <Th>Type</Th>
          <Th>Mountpoint</Th>
          <Th className="text-right">Vfolders</Th>
          <Th>Mountable in</Th>
          {mayManage ? (
            <Th>
              <span className="sr-only">Actions</span>
            </Th>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {rows.map((v) => (
          <Tr key={v.id}>
            <Td>
              <div className="font-medium">{v.name}</div>
              {v.description ? <div className="text-xs text-muted-fg">{v.description}</div> : null}
            </Td>
            <Td>{v.fsType}</Td>
            <Td className="font-mono text-xs">{v.mountpoint}</Td>
            <Td className="text-right tabular-nums">{v.vfolderCount}</Td>
            <Td>
              {v.resourceGroups.length ? (
                <div className="flex flex-wrap gap-1">
                  {v.resourceGroups.map((g) => (
                    <Badge key={g}>{g}</Badge>
                  ))}
                </div>
              ) : (
                <Badge tone="warn">no ALIVE host mounts it</Badge>
              )}
              {v.hosts?.length ? <div className="mt-1 text-xs text-muted-fg">hosts: {v.hosts.join(", ")}</div> : null}
            </Td>
            {mayManage ? (
              <Td className="text-right">
                <ConfirmDialog
                  title={`Delete volume ${v.name}?`}
                  confirmLabel="Delete volume"
                  pendingLabel="Deleting…"
                  onConfirm={() => del.mutateAsync({ id: v.id })}
                  trigger={
                    <Button variant="ghost" size="sm" aria-label={`Delete volume ${v.name}`}>
                      <Trash2 className="h-3.5 w-3.5" aria-hidden /> Delete
                    </Button>
                  }
                >
                  Only the record goes; nothing on the storage is touched. A volume that still holds vfolders cannot be deleted.
                </ConfirmDialog>
              </Td>
            ) : null}
          </Tr>
        ))}
      </tbody>
    </Table>
  );
}

function DeleteVfolderButton({ vfolder }: { vfolder: Vfolder }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const del = useMutation(trpc.vfolders.delete.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.vfolders.pathKey() }) }));
  return (
    <ConfirmDialog
      title={`Delete vfolder ${vfolder.name}?`}
      confirmLabel="Delete vfolder"
      pendingLabel="Deleting…"
      onConfirm={() => del.mutateAsync({ id: vfolder.id })}
      trigger={
        <Button variant="ghost" size="sm" aria-label={`Delete vfolder ${vfolder.name}`}>
          <Trash2 className="h-3.5 w-3.5" aria-hidden /> Delete
        </Button>
      }
    >
      Sessions can no longer mount it. A vfolder mounted by a live session cannot be deleted.
    </ConfirmDialog>
  );
}

function NewVfolderButton({ volumes }: { volumes: Volume[] }) {
  return (
    <FormDialog
      title="New vfolder"
      className="w-[min(94vw,32rem)]"
      trigger={
        <Button>
          <Plus className="h-4 w-4" aria-hidden /> New vfolder
        </Button>
      }
    >
      {(close) => <VfolderForm volumes={volumes} onDone={close} />}
    </FormDialog>
  );
}

function VfolderForm({ volumes, onDone }: { volumes: Volume[]; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = useMe();
  const projects = useQuery(trpc.projects.list.queryOptions());
  const manageable = (projects.data ?? []).filter((p) => p.isActive && can("vfolders.manage", p.id));
  const [projectId, setProjectId] = useState("");
  const [volumeId, setVolumeId] = useState("");
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const create = useMutation(
    trpc.vfolders.create.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.vfolders.pathKey() });
        onDone();
      },
    }),
  );
  const errs = splitErrors(create.error, { projectId: "project", volumeId: "volume", name: "name", description: "description" });
  const project = projectId || manageable[0]?.id || "";
  const volume = volumeId || volumes.find((v) => v.resourceGroups.length)?.id || volumes[0]?.id || "";
  const chosenVolume = volumes.find((v) => v.id === volume);
  if (projects.isLoading) return <p className="text-sm text-muted-fg">Loading projects…</p>;
  if (!manageable.length) return <p className="text-sm text-muted-fg">You own no active project; a project owner creates its vfolders.</p>;
  return (
    <form
      className="grid gap-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate({ projectId: project, volumeId: volume, name: name.trim(), description });
      }}
    >
      <Field id="vf-name" label="Name" error={errs.field("name")} hint="Letters, digits, '.', '_' and '-'; unique in the project. Mounted at /home/work/<name> by default.">
        <Input id="vf-name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" autoFocus {...errs.aria("name", "vf-name")} />
      </Field>
      <div className="grid items-start gap-4 sm:grid-cols-2">
        <Field id="vf-project" label="Project" error={errs.field("project")}>
          <Select id="vf-project" value={project} onChange={(e) => setProjectId(e.target.value)}>
            {manageable.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field
          id="vf-volume"
          label="Storage volume"
          error={errs.field("volume")}
          hint={chosenVolume ? (chosenVolume.resourceGroups.length ? `Mountable in ${chosenVolume.resourceGroups.join(", ")}` : "No ALIVE host mounts this volume yet") : undefined}
        >
          <Select id="vf-volume" value={volume} onChange={(e) => setVolumeId(e.target.value)}>
            {volumes.map((v) => (
              <option key={v.id} value={v.id}>
                {v.name} ({v.fsType})
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <Field id="vf-description" label="Description" error={errs.field("description")}>
        <Textarea id="vf-description" className="min-h-16" value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      <FormRest message={errs.rest} />
      <DialogActions pending={create.isPending} submitLabel="Create vfolder" pendingLabel="Creating…" />
    </form>
  );
}

function NewVolumeButton() {
  return (
    <FormDialog
      title="Register a storage volume"
      description="Hosts must mount it at the same path and list it in their [[kata.storage-mounts]] before sessions can use its vfolders."
      className="w-[min(94vw,32rem)]"
      trigger={
        <Button variant="secondary" size="sm">
          <Plus className="h-3.5 w-3.5" aria-hidden /> Register volume
        </Button>
      }
    >
      {(close) => <VolumeForm onDone={close} />}
    </FormDialog>
  );
}

function VolumeForm({ onDone }: { onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [fsType, setFsType] = useState<(typeof FS_TYPES)[number]>("nfs4");
  const [mountpoint, setMountpoint] = useState("/mnt/");
  const [description, setDescription] = useState("");
  const create = useMutation(
    trpc.vfolders.createVolume.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.vfolders.pathKey() });
        onDone();
      },
    }),
  );
  const errs = splitErrors(create.error, { name: "name", fsType: "fsType", mountpoint: "mountpoint", description: "description" });
  return (
    <form
      className="grid gap-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate({ name: name.trim(), fsType, mountpoint: mountpoint.trim(), description });
      }}
    >
      <div className="grid items-start gap-4 sm:grid-cols-2">
        <Field id="vol-name" label="Name" error={errs.field("name")} hint="Lowercase letters, digits and '-'.">
          <Input id="vol-name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" autoFocus {...errs.aria("name", "vol-name")} />
        </Field>
        <Field id="vol-fs" label="Filesystem" error={errs.field("fsType")}>
          <Select id="vol-fs" value={fsType} onChange={(e) => setFsType(e.target.value as (typeof FS_TYPES)[number])}>
            {FS_TYPES.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <Field id="vol-mountpoint" label="Mountpoint on the hosts" error={errs.field("mountpoint")} hint="e.g. /mnt/vfstore; vfolders are created below it.">
        <Input id="vol-mountpoint" className="font-mono" value={mountpoint} onChange={(e) => setMountpoint(e.target.value)} {...errs.aria("mountpoint", "vol-mountpoint")} />
      </Field>
      <Field id="vol-description" label="Description" error={errs.field("description")}>
        <Textarea id="vol-description" className="min-h-16" value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      <FormRest message={errs.rest} />
      <DialogActions pending={create.isPending} submitLabel="Register" pendingLabel="Registering…" />
    </form>
  );
}
