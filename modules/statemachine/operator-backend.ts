// The charger's operator (its CSMS, reached over OCPP by the host): what the SECC asks of it and
// tells it. One-way like the rest of the charger boundary (style.md §2): calls out are
// fire-and-forget, answers come back as ControlEvents through `onEvent` (authorized, schedule,
// renegotiate, stop-charging) or as OperatorAnswers through `onAnswer` (certificates, OCSP).
// ChargerBinding calls it; the Node host implements it with OCPP 2.0.1 (hosts/sim/ocpp).

import type { ControlSink, EvNeeds } from "./charger-interfaces";

/** ISO 15118-2 CertificateHashDataType / OCPP OCSPRequestDataType: identifies one certificate of a chain. */
export interface CertificateHashData {
  readonly hashAlgorithm: "SHA256" | "SHA384" | "SHA512";
  /** Hash of the issuer's distinguished name (DER), hex. */
  readonly issuerNameHash: string;
  /** Hash of the issuer's public key (DER), hex. */
  readonly issuerKeyHash: string;
  /** Serial number, hex without leading zeroes. */
  readonly serialNumber: string;
  /** OCSP responder URL of the certificate's AuthorityInformationAccess. */
  readonly responderURL: string;
}

/** Who is to be authorized: external identification (the EVCCID or a token from RFID/app) or Plug & Charge. */
export type AuthorizationRequest =
  | { readonly kind: "eim"; readonly evccId: Uint8Array }
  | {
      readonly kind: "pnc";
      /** The contract certificate's eMAID ([V2G2-631]: it is the idToken). */
      readonly emaid: string;
      /** OCSP data of the contract chain (leaf first), for the CSMS's status check. */
      readonly chain: readonly CertificateHashData[];
      /** The contract leaf certificate, PEM, when the charger cannot check it itself. */
      readonly certificate?: string;
    };

/** Answers that are not ControlEvents: they are for the PnC handlers, not the session facts. */
export type OperatorAnswer =
  | {
      readonly kind: "ev-certificate";
      readonly accepted: boolean;
      /** The EXI of CertificateInstallationRes / CertificateUpdateRes as the CSMS sent it. */
      readonly exiResponse?: Uint8Array;
    }
  | { readonly kind: "certificate-status"; readonly good: boolean; readonly ocspResponse?: Uint8Array }
  | { readonly kind: "contract-status"; readonly accepted: boolean; readonly certificateStatus?: string };

/** A charging session as the operator books it. */
export interface OperatorSessionInfo {
  readonly protocol: "din" | "iso2" | "iso20";
  readonly evccId: Uint8Array;
  readonly resumed: boolean;
}

export interface OperatorBackend {
  /** Authorize; reports ControlEvent authorized (and contract-status for PnC). */
  authorize(request: AuthorizationRequest): void;
  /** PnC CertificateInstallationReq / CertificateUpdateReq: pass its EXI to the operator; reports ev-certificate. */
  requestEvCertificate?(action: "Install" | "Update", schema: "iso2" | "iso20", exiRequest: Uint8Array): void;
  /** OCSP status of a certificate the charger cannot check itself; reports certificate-status. */
  requestCertificateStatus?(hash: CertificateHashData): void;
  /** The EV's needs (ChargeParameterDiscovery / ScheduleExchange). */
  evNeeds?(needs: EvNeeds): void;
  /** The EV's planned power over time (PowerDeliveryReq ChargingProfile): start in s, power in W. */
  evChargingSchedule?(entries: readonly { readonly start: number; readonly power: number }[]): void;
  sessionStarted?(info: OperatorSessionInfo): void;
  /** Energy flowing: the host's meter is read from here on (transaction updates). */
  chargingStarted?(): void;
  chargingStopped?(): void;
  sessionStopped?(reason: string): void;
  /** Where authorized / schedule / renegotiate / stop-charging go (set by ChargerBinding). */
  onEvent?: ControlSink;
  /** Where certificate and OCSP answers go (set by whoever handles PnC). */
  onAnswer?: (answer: OperatorAnswer) => void;
}
