// The registry of benchmark workloads. Each area adds its workloads file here.
import type { Workload } from "./workload";
import { placeholderWorkloads } from "./placeholder";
import { seccWorkloads } from "./secc";
import { exiWorkloads } from "./exi";

export const WORKLOADS: readonly Workload<any>[] = [...placeholderWorkloads, ...seccWorkloads, ...exiWorkloads];
