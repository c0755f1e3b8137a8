// A placeholder workload that exercises the frame: hex encode/decode of a 64-byte buffer
// through the core's byte helpers.
import { fromHex, toHex } from "../../modules/common/index";
import type { Workload } from "./workload";

const hexRoundTrip: Workload<{ bytes: Uint8Array }> = {
  name: "common.hex.roundtrip-64B",
  group: "placeholder",
  setup: () => {
    const bytes = new Uint8Array(64);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37) & 0xff;
    return { bytes };
  },
  run: (state) => fromHex(toHex(state.bytes)),
};

export const placeholderWorkloads = [hexRoundTrip];
