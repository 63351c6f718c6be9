"use client";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Rocket } from "lucide-react";
import { useTRPC } from "@/trpc/react";
import { Button } from "@/components/ui/button";
import { Field, Input, Select, Textarea } from "@/components/ui/input";
import { DialogActions, FormDialog } from "@/components/common/dialogs";
import { FormRest, splitErrors } from "@/components/common/form-errors";
import { Segmented } from "@/components/common/bits";
import { useMe } from "@/components/common/use-me";

export const DEFAULT_IMAGE = "ngc/pytorch:24.08-py3";

/** The "Launch session" button and its dialog; rendered only for users who may create sessions somewhere. */
export function LaunchSessionButton() {
  return (
    <FormDialog
      title="Launch a session"
      description="Each session runs in its own Kata VM per cluster member, with whole GPUs passed through and a network fenced off from every other session."
      className="w-[min(94vw,40rem)]"
      trigger={
        <Button>
          <Rocket className="h-4 w-4" aria-hidden /> Launch session
        </Button>
      }
    >
      {(close) => <LaunchForm onDone={close} />}
    </FormDialog>
  );
}

const SERVER_FIELDS = {
  projectId: "project",
  resourceGroupId: "resourceGroup",
  name: "name",
  type: "type",
  image: "image",
  startupCommand: "startupCommand",
  gpus: "gpus",
  vcpus: "vcpus",
  memoryGiB: "memoryGiB",
  clusterSize: "clusterSize",
  vfolders: "vfolders",
};

function LaunchForm({ onDone }: { onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = useMe();
  const projects = useQuery(trpc.projects.list.queryOptions());
  const groups = useQuery(trpc.resourceGroups.list.queryOptions());
  const launchable = (projects.data ?? []).filter((p) => p.isActive && can("sessions.create", p.id));

  const [projectId, setProjectId] = useState("");
  const [resourceGroupId, setResourceGroupId] = useState("");
  const [name, setName] = useState("");
  const [type, setType] = useState<"interactive" | "batch">("interactive");
  const [startupCommand, setStartupCommand] = useState("");
  const [image, setImage] = useState(DEFAULT_IMAGE);
  const [gpus, setGpus] = useState("1");
  const [vcpus, setVcpus] = useState("8");
  const [memoryGiB, setMemoryGiB] = useState("64");
  const [clusterSize, setClusterSize] = useState("1");
  /** Chosen vfolders by id: where each is mounted and whether read-only. */
  const [vfolders, setVfolders] = useState<Record<string, { mountPath: string; readOnly: boolean }>>({});
  const [local, setLocal] = useState<Record<string, string | undefined>>({});

  const project = projectId || launchable[0]?.id || "";
  // Groups given to the project explicitly come first (they are usually why it has them), then public ones.
  const assigned = (g: { projects: { project: { id: string } }[] }) => g.projects.some((p) => p.project.id === project);
  const usable = (groups.data ?? []).filter((g) => g.isActive && (g.isPublic || assigned(g))).sort((a, b) => Number(assigned(b)) - Number(assigned(a)));
  const group = usable.some((g) => g.id === resourceGroupId) ? resourceGroupId : (usable[0]?.id ?? "");
  const chosenGroup = usable.find((g) => g.id === group);
  const projectVfolders = useQuery({ ...trpc.vfolders.list.queryOptions({ projectId: project }), enabled: !!project && can("vfolders.read", project) });
  const volumes = useQuery({ ...trpc.vfolders.volumes.queryOptions(), enabled: !!project && can("vfolders.read", project) });
  /** Chosen vfolders whose volume no ALIVE host of the chosen group mounts: the session would wait. */
  const unreachable = (projectVfolders.data ?? []).filter((v) => {
    if (!vfolders[v.id] || !chosenGroup) return false;
    const vol = volumes.data?.find((x) => x.id === v.volume.id);
    return vol !== undefined && !vol.resourceGroups.includes(chosenGroup.name);
  });

  const create = useMutation(
    trpc.sessions.create.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.sessions.pathKey() });
        onDone();
      },
    }),
  );
  const errs = splitErrors(create.error, SERVER_FIELDS, local);

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const numbers = { gpus, vcpus, memoryGiB, clusterSize };
    const missing: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(numbers)) if (v.trim() === "") missing[k] = "is required";
    if (!project) missing.project = "choose a project";
    if (!group) missing.resourceGroup = "choose a resource group";
    setLocal(missing);
    if (Object.keys(missing).length) return;
    create.mutate({
      projectId: project,
      resourceGroupId: group,
      name: name.trim(),
      type,
      image: image.trim(),
      startupCommand: type === "batch" ? startupCommand : undefined,
      gpus: Number(gpus),
      vcpus: Number(vcpus),
      memoryGiB: Number(memoryGiB),
      clusterSize: Number(clusterSize),
      // Only the project's own vfolders: a choice made under another project is dropped, not sent.
      vfolders: (projectVfolders.data ?? []).filter((v) => vfolders[v.id]).map((v) => ({ id: v.id, mountPath: vfolders[v.id]!.mountPath.trim() || undefined, readOnly: vfolders[v.id]!.readOnly })),
    });
  }

  if (projects.isLoading || groups.isLoading) return <p className="text-sm text-muted-fg">Loading projects and resource groups…</p>;
  if (!launchable.length)
    return <p className="text-sm text-muted-fg">You are not in any active project where you may launch sessions. Ask a project owner or an admin to add you to one.</p>;

  return (
    <form onSubmit={submit} className="grid gap-4" noValidate>
      <div className="grid items-start gap-4 sm:grid-cols-2">
        <Field id="launch-project" label="Project" error={errs.field("project")}>
          <Select id="launch-project" value={project} onChange={(e) => setProjectId(e.target.value)} {...errs.aria("project", "launch-project")}>
            {launchable.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field
          id="launch-rg"
          label="Resource group"
          error={errs.field("resourceGroup") ?? (usable.length === 0 ? "This project may not use any active resource group; ask an admin to assign one." : undefined)}
          hint={chosenGroup ? `${chosenGroup.backend} · ${chosenGroup.scheduler} · confidential ${chosenGroup.confidentialPolicy}` : undefined}
        >
          <Select id="launch-rg" value={group} onChange={(e) => setResourceGroupId(e.target.value)} disabled={usable.length === 0} {...errs.aria("resourceGroup", "launch-rg")}>
            {usable.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </Select>
        </Field>
      </div>

      <Field id="launch-name" label="Session name" error={errs.field("name")} hint="Letters, digits, '.', '_' and '-', e.g. resnet-sweep-3.">
        <Input id="launch-name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" autoFocus {...errs.aria("name", "launch-name")} />
      </Field>

      <div className="grid gap-1.5">
        <span className="text-sm font-medium" id="launch-type-label">
          Type
        </span>
        <Segmented
          name="launch-type"
          label="Session type"
          value={type}
          onChange={setType}
          options={[
            { value: "interactive", label: "Interactive" },
            { value: "batch", label: "Batch" },
          ]}
        />
        <p className="text-xs text-muted-fg">{type === "batch" ? "Runs the startup command and ends when it exits." : "Stays up until you terminate it."}</p>
      </div>

      {type === "batch" ? (
        <Field id="launch-cmd" label="Startup command" error={errs.field("startupCommand")}>
          <Textarea
            id="launch-cmd"
            className="font-mono"
            value={startupCommand}
            onChange={(e) => setStartupCommand(e.target.value)}
            placeholder="python train.py --epochs 10"
            {...errs.aria("startupCommand", "launch-cmd")}
          />
        </Field>
      ) : null}

      <Field id="launch-image" label="Image" error={errs.field("image")}>
        <Input id="launch-image" className="font-mono" value={image} onChange={(e) => setImage(e.target.value)} {...errs.aria("image", "launch-image")} />
      </Field>

      <fieldset className="grid gap-3 rounded-md border border-border p-4">
        <legend className="px-1 text-sm font-medium">Resources per VM</legend>
        <div className="grid grid-cols-2 items-start gap-4 sm:grid-cols-4">
          <Field id="launch-gpus" label="GPUs" error={errs.field("gpus")} hint="0–8, whole GPUs">
            <Input id="launch-gpus" type="number" inputMode="numeric" min={0} max={8} step={1} value={gpus} onChange={(e) => setGpus(e.target.value)} {...errs.aria("gpus", "launch-gpus")} />
          </Field>
          <Field id="launch-vcpus" label="vCPUs" error={errs.field("vcpus")}>
            <Input id="launch-vcpus" type="number" inputMode="numeric" min={1} max={256} step={1} value={vcpus} onChange={(e) => setVcpus(e.target.value)} {...errs.aria("vcpus", "launch-vcpus")} />
          </Field>
          <Field id="launch-mem" label="Memory (GiB)" error={errs.field("memoryGiB")}>
            <Input id="launch-mem" type="number" inputMode="numeric" min={1} max={4096} step={1} value={memoryGiB} onChange={(e) => setMemoryGiB(e.target.value)} {...errs.aria("memoryGiB", "launch-mem")} />
          </Field>
          <Field id="launch-cluster" label="Cluster size" error={errs.field("clusterSize")} hint="VMs, 1–16">
            <Input id="launch-cluster" type="number" inputMode="numeric" min={1} max={16} step={1} value={clusterSize} onChange={(e) => setClusterSize(e.target.value)} {...errs.aria("clusterSize", "launch-cluster")} />
          </Field>
        </div>
      </fieldset>

      <fieldset className="grid gap-2 rounded-md border border-border p-4" aria-describedby={errs.field("vfolders") ? "launch-vfolders-error" : undefined}>
        <legend className="px-1 text-sm font-medium">Virtual folders</legend>
        <p className="text-xs text-muted-fg">Mounted by the VM itself from the storage volume; data in them outlives the session.</p>
        {projectVfolders.isLoading ? (
          <p className="text-sm text-muted-fg">Loading the project&apos;s vfolders…</p>
        ) : !projectVfolders.data?.length ? (
          <p className="text-sm text-muted-fg">
            This project has no vfolders yet.{" "}
            <a className="underline" href="/storage">
              Create one on the Storage page
            </a>
            .
          </p>
        ) : (
          <ul className="grid gap-2">
            {projectVfolders.data.map((v) => {
              const chosen = vfolders[v.id];
              const toggle = (on: boolean) =>
                setVfolders((cur) => {
                  const next = { ...cur };
                  if (on) next[v.id] = { mountPath: `/home/work/${v.name}`, readOnly: false };
                  else delete next[v.id];
                  return next;
                });
              return (
                <li key={v.id} className="grid items-center gap-2 sm:grid-cols-[minmax(0,11rem)_minmax(0,1fr)_auto]">
                  <label className="flex min-w-0 items-center gap-2 text-sm">
                    <input type="checkbox" checked={!!chosen} onChange={(e) => toggle(e.target.checked)} aria-label={`Mount vfolder ${v.name}`} />
                    <span className="truncate font-mono" title={`${v.name} on ${v.volume.name}`}>
                      {v.name}
                    </span>
                  </label>
                  <Input
                    className="h-8 font-mono text-xs"
                    aria-label={`Mount path of ${v.name}`}
                    disabled={!chosen}
                    value={chosen?.mountPath ?? `/home/work/${v.name}`}
                    onChange={(e) => setVfolders((cur) => ({ ...cur, [v.id]: { ...cur[v.id]!, mountPath: e.target.value } }))}
                  />
                  <label className="flex items-center gap-1.5 text-xs text-muted-fg">
                    <input
                      type="checkbox"
                      disabled={!chosen}
                      checked={chosen?.readOnly ?? false}
                      onChange={(e) => setVfolders((cur) => ({ ...cur, [v.id]: { ...cur[v.id]!, readOnly: e.target.checked } }))}
                    />
                    read-only
                  </label>
                </li>
              );
            })}
          </ul>
        )}
        {unreachable.length && chosenGroup ? (
          <p className="text-xs text-warn" role="status">
            No host in {chosenGroup.name} mounts {unreachable.length === 1 ? `the volume of ${unreachable[0]!.name}` : `the volumes of ${unreachable.map((v) => v.name).join(", ")}`} ({[...new Set(unreachable.map((v) => v.volume.name))].join(", ")}) right now: the session would wait until one does.
          </p>
        ) : null}
        {errs.field("vfolders") ? (
          <p id="launch-vfolders-error" role="alert" className="text-xs text-danger">
            {errs.field("vfolders")}
          </p>
        ) : null}
      </fieldset>

      <FormRest message={errs.rest} />
      <DialogActions pending={create.isPending} submitLabel="Launch" pendingLabel="Launching…" />
    </form>
  );
}
