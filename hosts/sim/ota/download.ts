// The device side of the download over node:https: asks the updater where to resume
// (Updater.downloadFrom), requests that byte range, and hands the body to Updater.receive in the
// order it arrives. A transfer cut short (connection lost, server gone, power cut) is retried
// from where the updater's persisted state says; the firmware's client on the ESP32 does the
// same over its TLS socket.

import * as https from "node:https";
import type { ReceiveResult } from "../../../modules/ota/index";

export interface DownloadSink {
  downloadFrom(): number;
  receive(chunk: Uint8Array): ReceiveResult;
}

export type TransferResult = ReceiveResult | { status: "interrupted"; at: number; why: string };

export interface DownloadOptions {
  /** The server's certificate (or its CA), PEM: the only trust anchor of this connection. */
  ca: string;
  /** Transfers tried before giving up (default 5). */
  attempts?: number;
  log?(line: string): void;
}

/** One transfer from where the sink resumes. */
export function transferOnce(url: string, sink: DownloadSink, options: DownloadOptions): Promise<TransferResult> {
  const from = sink.downloadFrom();
  let at = from;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (result: TransferResult) => {
      if (settled) return;
      settled = true;
      request.destroy();
      resolve(result);
    };
    const request = https.get(url, { ca: options.ca, headers: from > 0 ? { Range: `bytes=${from}-` } : {}, minVersion: "TLSv1.2" }, (response) => {
      let skip = 0;
      if (response.statusCode === 206) {
        const m = /^bytes (\d+)-/.exec(String(response.headers["content-range"] ?? ""));
        if (!m || Number(m[1]) !== from) return finish({ status: "interrupted", at, why: `Content-Range ${response.headers["content-range"]} for bytes=${from}-` });
      } else if (response.statusCode === 200) {
        skip = from; // the server ignored the range: drop what the updater has already
      } else {
        response.resume();
        return finish({ status: "interrupted", at, why: `HTTP ${response.statusCode}` });
      }
      let result: ReceiveResult = { status: "more" };
      response.on("data", (data: Buffer) => {
        if (settled) return;
        let chunk = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        if (skip > 0) {
          const drop = Math.min(skip, chunk.length);
          skip -= drop;
          chunk = chunk.subarray(drop);
          if (chunk.length === 0) return;
        }
        try {
          result = sink.receive(chunk);
        } catch (error) {
          // A power cut in a test, or a bug: the transfer stops here, the caller sees why.
          settled = true;
          request.destroy();
          reject(error);
          return;
        }
        at += chunk.length;
        if (result.status !== "more") finish(result);
      });
      response.on("end", () => finish(result.status === "more" ? { status: "interrupted", at, why: "the body ended early" } : result));
      response.on("aborted", () => finish({ status: "interrupted", at, why: "connection lost" }));
      response.on("error", (error) => finish({ status: "interrupted", at, why: error.message }));
    });
    request.on("error", (error) => finish({ status: "interrupted", at, why: error.message }));
  });
}

/** Transfers until the updater has the whole image (or refuses it), resuming after each interruption. */
export async function downloadUpdate(url: string, sink: DownloadSink, options: DownloadOptions): Promise<TransferResult> {
  let result: TransferResult = { status: "interrupted", at: 0, why: "not started" };
  for (let attempt = 0; attempt < (options.attempts ?? 5); attempt++) {
    result = await transferOnce(url, sink, options);
    if (result.status !== "interrupted") return result;
    options.log?.(`download interrupted at byte ${result.at} (${result.why}); resuming`);
  }
  return result;
}
