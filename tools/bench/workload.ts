// What a benchmark workload is. Workloads are portable (they run on Node and are bundled into
// XS), so they import only modules/ and tests/support (file access works on both engines).

export interface Workload<S = unknown> {
  /** Unique, shown in the table: "exi.din.CurrentDemandReq.decode". */
  name: string;
  /** Groups rows in the table ("secc", "exi", …). */
  group: string;
  /** Prepares inputs once (outside the timing); may return undefined to skip with `skipReason`. */
  setup(): S | undefined;
  /** One operation. Must use its result (return it) so engines cannot drop the work. */
  run(state: S): unknown;
  /** Why setup() returned undefined (e.g. ../shared missing). */
  skipReason?: string;
}

/** Figures the bench prints about code and data size, computed on Node only. */
export interface SizeFigure {
  name: string;
  bytes: number;
  note?: string;
}
