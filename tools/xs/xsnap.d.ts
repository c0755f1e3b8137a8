// Minimal declarations for @agoric/xsnap's Node API (the package ships JavaScript only).
declare module "@agoric/xsnap" {
  export interface XsnapMeterUsage {
    compute?: number;
    currentHeapCount?: number;
    allocate?: number;
  }
  export interface XsnapWorker {
    evaluate(code: string): Promise<{ meterUsage?: XsnapMeterUsage; reply?: Uint8Array }>;
    issueCommand(message: Uint8Array): Promise<{ reply: Uint8Array; meterUsage?: XsnapMeterUsage }>;
    close(): Promise<void>;
    terminate(): Promise<void>;
    /** XS's snapshot of the engine (xsSnapshot.c format), written after a collection. */
    makeSnapshotStream(description?: string): AsyncIterable<Uint8Array>;
  }
  export function xsnap(options: {
    os: string;
    spawn: unknown;
    fs: unknown;
    name?: string;
    stdout?: "inherit" | "ignore";
    stderr?: "inherit" | "ignore";
    meteringLimit?: number;
    handleCommand?: (message: Uint8Array) => Promise<Uint8Array>;
  }): Promise<XsnapWorker>;
}
declare module "@endo/init";
