// The board's TLS engine: hosts/native-tls (mbedTLS, ESP-IDF v6.0's 4.0 on the ESP32) over the
// IP side's TCP classes (hosts/native-net over the QCA7000 netif), with the station's PKI from
// NVS (station-pki.ts). A board whose build has no engine (hosts/rp2350 maps its own
// board-tls.ts) says why, and `tls on` then runs no session (modules/station/firmware.ts).

import { nativeTls } from "../native-tls/tls";
import { tlsBuild } from "../native-tls/tls-native";
import { MbedtlsCrypto } from "../native-tls/crypto";
import type { BoardTls } from "../../modules/station/index";
import type { Logger } from "../../modules/common/index";
import type { WallClock } from "../../modules/common/wall-clock";
import { boardTls, PKI_DOMAIN } from "./station-pki";
import { PreferenceStorage } from "./preference-storage";

export function createBoardTls(o: { random(count: number): Uint8Array; wall: WallClock; logger: Logger }): { tls?: BoardTls; noTlsReason?: string } {
  const build = tlsBuild();
  if (build === undefined) return { noTlsReason: "this build has no TLS engine (hosts/native-tls was built without mbedTLS)" };
  let noticed = false;
  return {
    tls: boardTls({
      storage: new PreferenceStorage(PKI_DOMAIN),
      crypto: new MbedtlsCrypto(o.random),
      wall: o.wall,
      over: (io) =>
        nativeTls(io, {
          onHandshake: (f) => o.logger.log("info", "tls", `${f.role} handshake: ${f.protocol} ${f.cipherSuite}, ${f.wallMs} ms${f.heapPeakBytes !== undefined ? `, mbedTLS heap peak ${f.heapPeakBytes} B` : ""}`),
          // Once per boot: what this mbedTLS cannot offer (mbedTLS 4: no static ECDH suite).
          onNotice: (line) => {
            if (!noticed) o.logger.log("info", "tls", `mbedTLS ${build}: ${line}`);
            noticed = true;
          },
        }),
    }),
  };
}
