// The RP2350 board has no TLS engine in its build yet (and no IP side: its QCA7000 driver is the
// JavaScript one). The manifest maps hosts/esp32/board-tls here, so `tls on` says why.

import type { BoardTls } from "../../modules/station/index";

export function createBoardTls(_o: unknown): { tls?: BoardTls; noTlsReason?: string } {
  return { noTlsReason: "the RP2350 build has no TLS engine" };
}
