// The TLS options `sim`, `secc` and `evcc` share: --tls, --pki DIR, --keylog FILE; and the
// station TLS they turn into (hosts/sim/crypto/station-tls.ts).

import { NodeCrypto } from "../crypto/node-crypto";
import { keyLogFile, readStationPki, stationTls } from "../crypto/station-tls";
import type { StationPki, StationRole } from "../crypto/station-tls";
import type { TlsSecureOptions } from "../../../modules/pki-store/index";
import { UsageError, choiceOption, flag, stringOption } from "./options";
import type { OptionSpec, ParsedOptions } from "./options";

export const TLS_OPTIONS: readonly OptionSpec[] = Object.freeze([{ name: "--tls" }, { name: "--pki", value: "DIR" }, { name: "--keylog", value: "FILE" }, { name: "--tls13-middlebox-compat", value: "on|off" }]);

export const TLS_HELP = `  --tls               V2G over TLS (SDP Security 0x00): ISO 15118-2 over TLS 1.2
                      (ECDHE-ECDSA-AES128-SHA256, P-256), ISO 15118-20 over TLS 1.3 with mutual
                      authentication (P-521/Ed448, secp521r1/x448); with both offered, SAP picks
                      by the version the handshake settled (-20 only over 1.3, -2 only over 1.2)
  --pki DIR           the test PKI to take certificates, keys and roots from (xs15118 pki init DIR)
  --tls13-middlebox-compat on|off  TLS 1.3 middlebox-compatibility mode (RFC 8446 D.4): on
                      (default, as OpenSSL does) sends the dummy change_cipher_spec records;
                      off leaves them out, for vehicles and chargers that fail on them (the
                      Node host drops them from the stream; a vehicle's ClientHello keeps its
                      32-byte legacy_session_id, which OpenSSL always fills). TLS 1.2 unaffected
  --keylog FILE       write the TLS secrets as an NSS key log (Wireshark, xs15118 pcap --keylog)`;

export interface TlsArgs {
  /** Run V2G over TLS. */
  tls: boolean;
  pki?: string;
  keylog?: string;
  /** --tls13-middlebox-compat: undefined leaves the TLS library's default (on). */
  middleboxCompatibility?: boolean;
}

/** --tls, --pki, --keylog; `pkiRequired`: a real interface needs the peer's roots, so a PKI directory. */
export function parseTlsArgs(command: string, parsed: ParsedOptions, pkiRequired: boolean): TlsArgs {
  const tls = flag(parsed, "--tls");
  const pki = stringOption(parsed, "--pki");
  const keylog = stringOption(parsed, "--keylog");
  if (!tls && (pki !== undefined || keylog !== undefined)) throw new UsageError(command, `${pki !== undefined ? "--pki" : "--keylog"} needs --tls`);
  if (tls && pkiRequired && pki === undefined) throw new UsageError(command, "--tls needs --pki DIR: the certificates, keys and roots both sides share (make them with: xs15118 pki init DIR)");
  if (tls && flag(parsed, "--insecure-iso20-plain-tcp")) throw new UsageError(command, "--tls and --insecure-iso20-plain-tcp exclude each other (with --tls, ISO 15118-20 runs over TLS 1.3)");
  const compat = choiceOption(command, parsed, "--tls13-middlebox-compat", ["on", "off"] as const, "setting");
  if (compat !== undefined && !tls) throw new UsageError(command, "--tls13-middlebox-compat needs --tls");
  return { tls, ...(pki !== undefined ? { pki } : {}), ...(keylog !== undefined ? { keylog } : {}), ...(compat !== undefined ? { middleboxCompatibility: compat === "on" } : {}) };
}

/**
 * The station's `secure` options from the PKI directory (or `pki` given), for the protocols it
 * offers; throws an Error naming what is missing or unreadable (the command's exit 3).
 */
export function secureFromArgs(a: TlsArgs, role: StationRole, protocols: readonly string[], pki?: StationPki, now: () => number = () => Math.floor(Date.now() / 1000)): TlsSecureOptions {
  const source = pki ?? readStationPki(a.pki!);
  const secure = stationTls({ role, protocols, pki: source, crypto: new NodeCrypto(), now, onKeyLog: a.keylog !== undefined ? keyLogFile(a.keylog) : undefined });
  return a.middleboxCompatibility === undefined ? secure : { ...secure, middleboxCompatibility: a.middleboxCompatibility };
}
