// The registry of benchmark workloads. Each area adds its workloads file here.
import type { Workload } from "./workload";
import { seccWorkloads } from "./secc";
import { exiWorkloads } from "./exi";
import { iso20Workloads } from "./iso20";
import { iso20DeviceWorkloads } from "./iso20-devices";
import { cryptoWorkloads } from "./crypto";

export const WORKLOADS: readonly Workload<any>[] = [...seccWorkloads, ...iso20Workloads, ...iso20DeviceWorkloads, ...exiWorkloads, ...cryptoWorkloads];
