// File access for tests inside XS: each call is a synchronous request to the Node parent
// (tools/xs/worker.ts serves it). Same exports as host-node.ts.

declare function issueCommand(message: ArrayBuffer): ArrayBuffer;
declare const __XS_ROOT__: string;

function request(command: Record<string, unknown>): Uint8Array {
  const bytes = new TextEncoder().encode(JSON.stringify(command));
  return new Uint8Array(issueCommand(bytes.buffer as ArrayBuffer));
}

export function readFile(path: string): Uint8Array | undefined {
  const reply = request({ op: "read", path });
  return reply.length > 0 && reply[0] === 1 ? reply.subarray(1) : undefined;
}

export function listDir(path: string): string[] {
  return JSON.parse(new TextDecoder().decode(request({ op: "list", path }))) as string[];
}

export const engine: "node" | "xs" = "xs";

export const root: string = __XS_ROOT__;
