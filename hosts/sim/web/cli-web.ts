// `--web [PORT]` as sim, secc, evcc and view take it: the port is optional (the option parser's
// values are not), so it is taken out of the arguments before they are parsed.

import type { CliIo } from "../cli";
import { UsageError } from "../commands/options";
import type { ViewServer, ViewSource } from "./server";
import { startViewServer } from "./server";

/** The session view's port unless --web names one. */
export const DEFAULT_WEB_PORT = 15180;

/**
 * `args` without --web [PORT] / --web=PORT, and the port asked for (undefined: no --web); with
 * `speed`, also --speed N|max (simulated seconds per second of a paced simulation; max: Infinity).
 */
export function takeWebOption(command: string, args: readonly string[], withSpeed = false): { args: string[]; web?: number; speed?: number } {
  const rest: string[] = [];
  let web: number | undefined;
  let speed: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      rest.push(...args.slice(i));
      break;
    }
    if (withSpeed && (a === "--speed" || a.startsWith("--speed="))) {
      const value = a.startsWith("--speed=") ? a.slice(8) : args[++i];
      speed = value === "max" ? Infinity : Number(value);
      if (value === undefined || (value !== "max" && !(speed >= 0.1 && speed <= 100_000))) throw new UsageError(command, `--speed ${value ?? ""}: expected simulated seconds per second, 0.1–100000, or max`);
      continue;
    }
    if (a !== "--web" && !a.startsWith("--web=")) {
      rest.push(a);
      continue;
    }
    let value: string | undefined = a.startsWith("--web=") ? a.slice(6) : undefined;
    if (value === undefined && i + 1 < args.length && /^\d+$/.test(args[i + 1])) value = args[++i];
    if (value === undefined) web = DEFAULT_WEB_PORT;
    else if (/^\d+$/.test(value) && Number(value) <= 65535) web = Number(value);
    else throw new UsageError(command, `--web ${value}: expected a TCP port 0–65535 (0: any free port)`);
  }
  if (speed !== undefined && web === undefined) throw new UsageError(command, "--speed paces the simulation for --web: add --web");
  return { args: rest, ...(web !== undefined ? { web } : {}), ...(speed !== undefined ? { speed } : {}) };
}

/** Starts the view's server and says where; a port in use is an environment error (undefined). */
export async function startWeb(io: CliIo, command: string, source: ViewSource, port: number): Promise<ViewServer | undefined> {
  try {
    const server = await startViewServer(source, port);
    io.err(`xs15118 ${command}: session view on ${server.url} (127.0.0.1 only; Ctrl-C stops)`);
    return server;
  } catch (error) {
    io.err(`xs15118 ${command}: cannot serve the session view on 127.0.0.1:${port}: ${(error as Error).message}`);
    return undefined;
  }
}

/** Keeps serving until SIGINT or SIGTERM, then closes the server. */
export function serveUntilStopped(server: ViewServer): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      void server.close().then(resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
