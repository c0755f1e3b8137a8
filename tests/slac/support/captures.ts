// SLAC frames (ethertype 0x88E1) of the captures in ../shared, for the SLAC tests on Node and XS.
// Read with the project's portable pcap/pcapng reader (simulation/pcap/read.ts).

import { listShared, readShared } from "../../support/shared";
import { LINKTYPE_ETHERNET, readCapture } from "../../../simulation/pcap/read";

export interface SlacCaptureFrame {
  /** 1-based frame number in the file (all frames counted, as Wireshark does). */
  number: number;
  /** Milliseconds (capture clock). */
  time: number;
  data: Uint8Array;
}

function isHomePlug(frame: Uint8Array): boolean {
  if (frame.length < 17) return false;
  let et = (frame[12] << 8) | frame[13];
  if (et === 0x8100) et = (frame[16] << 8) | frame[17];
  return et === 0x88e1;
}

/** The HomePlug (0x88E1) frames of one capture, relative to ../shared/captures (Ethernet link type). */
export function slacFrames(relative: string): SlacCaptureFrame[] {
  const bytes = readShared(`captures/${relative}`);
  if (!bytes) return [];
  const out: SlacCaptureFrame[] = [];
  for (const f of readCapture(bytes).frames) {
    if (f.linkType !== LINKTYPE_ETHERNET || f.data.length < f.originalLength) continue;
    if (isHomePlug(f.data)) out.push({ number: f.number, time: f.time, data: f.data });
  }
  return out;
}

/** Every capture file under ../shared/captures, relative to it, sorted. */
export function listCaptures(dir = ""): string[] {
  const out: string[] = [];
  for (const name of listShared(`captures${dir ? "/" + dir : ""}`)) {
    const rel = dir ? `${dir}/${name}` : name;
    if (/\.(pcap|pcapng|dump)$/.test(name)) out.push(rel);
    else if (name.indexOf(".") < 0 || !/\.[a-z]+$/i.test(name)) out.push(...listCaptures(rel));
  }
  return out.sort();
}
