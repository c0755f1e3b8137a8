// Plug & Charge for `secc` and `evcc` (two processes, one test PKI directory): --payment
// external|contract, and for the vehicle --contract (it already holds one). The charger and the
// vehicle take their PnC facilities from --pki DIR, the same directory TLS uses, with the
// simulated backend (contract provisioning, OCSP, the MO's signed SalesTariff) inside the charger.

import * as fs from "node:fs";
import * as path from "node:path";
import type { Iso2EvccPnc } from "../../../modules/statemachine/evcc/iso2-pnc";
import type { ContractProvisioning, SeccConfigWithPnc } from "../../../modules/statemachine/iso2/pnc";
import type { AnchorKind, Certificate } from "../../../modules/pki-store/index";
import { NodeCrypto } from "../crypto/node-crypto";
import { readTestPki } from "../pki/files";
import { simulatedPnc } from "../pki/pnc-setup";
import type { SimulatedPncBackend } from "../pki/contract-provisioning";
import { simulatedSalesTariffs } from "../pki/sales-tariff";
import type { TestPkiProfile } from "../pki/test-pki";
import { UsageError, choiceOption, flag } from "./options";
import type { OptionSpec, ParsedOptions } from "./options";
import type { TlsArgs } from "./tls-options";

export const PAYMENT_OPTION: OptionSpec = Object.freeze({ name: "--payment", value: "external|contract" });
export const CONTRACT_OPTION: OptionSpec = Object.freeze({ name: "--contract" });

export const SECC_PAYMENT_HELP = `  --payment external|contract  external identification only (default), or Plug & Charge as well
                      (needs --tls): contracts validated against the MO roots of --pki DIR,
                      CertificateInstallation/Update, OCSP and the MO's signed SalesTariff
                      from the simulated backend, signed MeteringReceipts`;

export const EVCC_PAYMENT_HELP = `  --payment external|contract  external identification (default) or Plug & Charge (needs --tls and
                        one of --protocol iso2 or iso20): the vehicle's OEM provisioning chain
                        from --pki DIR; without --contract it installs a contract first
  --contract            with --payment contract: the vehicle already holds --pki DIR's contract`;

/** The profiles of --pki DIR PnC uses for these protocols: -2 on P-256, -20 on P-521. */
function pncProfiles(protocols: readonly string[]): TestPkiProfile[] {
  const out: TestPkiProfile[] = [];
  if (protocols.indexOf("iso2") >= 0) out.push("iso2");
  if (protocols.indexOf("iso20") >= 0) out.push("iso20");
  return out;
}

/** --payment (and --contract for the vehicle); "contract" needs --tls and a PnC protocol. */
export function parsePayment(command: "secc" | "evcc", parsed: ParsedOptions, tls: TlsArgs, protocols: readonly string[]): { payment: "external" | "contract"; contractInstalled: boolean } {
  const payment = choiceOption(command, parsed, "--payment", ["external", "contract"] as const, "payment") ?? "external";
  const contractInstalled = command === "evcc" && flag(parsed, "--contract");
  if (contractInstalled && payment !== "contract") throw new UsageError(command, "--contract needs --payment contract");
  if (payment === "external") return { payment, contractInstalled };
  if (!tls.tls) throw new UsageError(command, "--payment contract is Plug & Charge, which runs only over TLS: add --tls --pki DIR");
  const profiles = pncProfiles(protocols);
  if (profiles.length === 0) throw new UsageError(command, "--payment contract is Plug & Charge of ISO 15118-2 or -20: --protocol iso2 and/or iso20");
  if (command === "evcc" && profiles.length > 1) throw new UsageError("evcc", "--payment contract: the vehicle holds one contract, for -2 (P-256) or -20 (P-521): --protocol iso2 or --protocol iso20");
  return { payment, contractInstalled };
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function profileDirectory(dir: string, profile: TestPkiProfile): void {
  if (!fs.existsSync(path.join(dir, profile, "pki.json"))) throw new Error(`${dir} has no ${profile} test PKI (make it with: xs15118 pki init ${dir})`);
}

const ANCHOR_KINDS: readonly AnchorKind[] = ["v2g", "oem", "mo"];

/**
 * Provisioning for a charger offering -2 and -20: -2's CertificateInstallation/Update from the
 * backend on the P-256 PKI, -20's (installIso20, where the backend has it) from the one on the
 * P-521 PKI, since each standard's CPS and contract keys are on its own curve.
 */
function provisioningOfBoth(iso2: ContractProvisioning, iso20: ContractProvisioning): ContractProvisioning {
  const both: ContractProvisioning & { installIso20?: unknown } = { install: (r) => iso2.install(r), update: (r) => iso2.update(r) };
  const install20 = (iso20 as { installIso20?: (r: unknown) => unknown }).installIso20;
  if (typeof install20 === "function") both.installIso20 = (r: unknown) => install20.call(iso20, r);
  return both;
}

/**
 * The charger's Plug & Charge: contracts of every offered profile validate (the roots of each
 * profile are trust anchors); provisioning per standard (provisioningOfBoth), OCSP and the signed
 * SalesTariff (-2 only) from the simulated backend. Throws an Error naming a missing profile (the
 * command's exit 3).
 */
export function seccPnc(pkiDir: string, protocols: readonly string[]): Partial<SeccConfigWithPnc> {
  const crypto = new NodeCrypto();
  const profiles = pncProfiles(protocols);
  for (const profile of profiles) profileDirectory(pkiDir, profile);
  const pkis = profiles.map((profile) => readTestPki(pkiDir, profile));
  // One charger store validates the contracts of every profile, so its OCSP check asks the
  // backend whose PKI issued the certificate (a -20 contract is not the P-256 backend's to answer).
  const backends: SimulatedPncBackend[] = [];
  const isRevoked = (certificate: Certificate, issuer: Certificate): boolean => {
    const backend = backends.find((b) => b.servesIssuer(issuer));
    return backend === undefined || backend.isRevoked(certificate, issuer);
  };
  const facilities = pkis.map((pki) => {
    const pnc = simulatedPnc({ crypto, pki, now, isRevoked });
    backends.push(pnc.backend);
    return pnc.charger;
  });
  const first = facilities[0].pnc!;
  let provisioning = first.provisioning;
  if (facilities.length > 1) {
    const second = facilities[1].pnc!;
    for (const kind of ANCHOR_KINDS) for (const anchor of second.store.trustAnchors(kind)) first.store.addTrustAnchor(kind, anchor.der);
    provisioning = provisioningOfBoth(first.provisioning!, second.provisioning!);
  }
  return { ...facilities[0], pnc: { ...first, ...(provisioning !== undefined ? { provisioning } : {}), salesTariff: simulatedSalesTariffs(crypto, pkis[0]) } };
}

/** The vehicle's Plug & Charge for its one protocol: OEM provisioning chain, and the contract if installed. */
export function evccPnc(pkiDir: string, protocols: readonly string[], contractInstalled: boolean): Iso2EvccPnc {
  const profile = pncProfiles(protocols)[0];
  profileDirectory(pkiDir, profile);
  return simulatedPnc({ crypto: new NodeCrypto(), pki: readTestPki(pkiDir, profile), now, contractInstalled }).vehicle;
}
