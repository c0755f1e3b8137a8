// What the vehicle's Plug & Charge certificate installation sends in both protocols (ISO 15118-2
// evcc/iso2-pnc.ts; ISO 15118-20 iso20/pnc-certificate.ts, whose module serves both roles): the
// slot of its OEM provisioning credentials and the list of V2G roots it trusts. On its own so
// that a charger's image, which carries pnc-certificate.ts, needs nothing of statemachine/evcc.

import { nameText } from "../pki-store/index";
import type { PkiStore } from "../pki-store/index";
import type { iso2 } from "./msg-types";

/** The own-chain slot of the vehicle's OEM provisioning certificate and key in its PkiStore. */
export const OEM_PROVISIONING_SLOT = "oem-provisioning";

/** ListOfRootCertificateIDs: the V2G roots the vehicle trusts (issuer name and serial, at most 20). */
export function rootCertificateIds(store: PkiStore): iso2.ListOfRootCertificateIDsType {
  const ids: iso2.X509IssuerSerialType[] = [];
  for (const root of store.trustAnchors("v2g")) {
    if (ids.length === 20) break;
    let serial = 0n;
    for (let i = 0; i < root.serial.length; i++) serial = (serial << 8n) | BigInt(root.serial[i]);
    ids.push({ X509IssuerName: nameText(root.issuer), X509SerialNumber: serial });
  }
  return { RootCertificateID: ids };
}
