// The "kata" entry of an agent row's computePlugins: what the controller records from a host's facts
// at join and what placement and the console read back. One shape for the writer and the readers.

export interface KataPluginFacts {
  /** Host memory each VM costs beyond its guest RAM. */
  vmOverheadMb?: number;
  maxGpusPerVm?: number;
  /** Host paths of the [[kata.storage-mounts]]: vfolders below them can be mounted in its VMs. */
  storageMountpoints?: string[];
}

export function kataPluginOf(computePlugins: unknown): KataPluginFacts {
  return ((computePlugins ?? {}) as { kata?: KataPluginFacts }).kata ?? {};
}
