// Public-key cryptography as the portable implementation runs it (hosts/portable-crypto, on
// @noble/*): what a Plug & Charge message costs in XS if the firmware does it in JavaScript.
// The operations are those of one PnC session: verifying certificate chains and signed
// messages (P-256 for ISO 15118-2, P-521 or Ed448 for -20), signing the GenChallenge and
// MeteringReceipt (the EVCC), and the ECDH of the contract key transport. The XS figures
// decide what the firmware host must do natively (modules/pki-store/README.md).
import { NobleCrypto } from "../../hosts/portable-crypto/index";
import { sha256 } from "../../modules/common/sha256";
import type { KeyAgreementCurve, KeyPair, SignatureScheme } from "../../modules/pki-store/index";
import type { SizeFigure, Workload } from "./workload";

/** Deterministic bench entropy (XS has no getRandomValues); the keys' quality does not matter here. */
function benchEntropy(): (length: number) => Uint8Array {
  let counter = 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 32) out.set(sha256(Uint8Array.of(counter >> 8, counter++ & 0xff)).subarray(0, Math.min(32, length - i)), i);
    return out;
  };
}

/** A SignedInfo-sized message: an EXI SignedInfo fragment is ~100–200 bytes. */
const MESSAGE_BYTES = 160;

interface SignState {
  crypto: NobleCrypto;
  scheme: SignatureScheme;
  keys: KeyPair;
  message: Uint8Array;
  signature: Uint8Array;
}

interface AgreeState {
  crypto: NobleCrypto;
  curve: KeyAgreementCurve;
  own: KeyPair;
  peer: KeyPair;
}

function signSetup(scheme: SignatureScheme): SignState {
  const crypto = new NobleCrypto({ entropy: benchEntropy() });
  const keys = crypto.generateSigningKey(scheme);
  const message = new Uint8Array(MESSAGE_BYTES).map((_, i) => i);
  return { crypto, scheme, keys, message, signature: crypto.sign(scheme, keys.privateKey, message) };
}

function signing(label: string, scheme: SignatureScheme): Workload<SignState>[] {
  return [
    { name: `crypto.${label}.sign`, group: "crypto", setup: () => signSetup(scheme), run: (s) => s.crypto.sign(s.scheme, s.keys.privateKey, s.message) },
    {
      name: `crypto.${label}.verify`,
      group: "crypto",
      setup: () => signSetup(scheme),
      run: (s) => {
        if (!s.crypto.verify(s.scheme, s.keys.publicKey, s.message, s.signature)) throw new Error("the bench signature did not verify");
        return true;
      },
    },
  ];
}

function agreement(label: string, curve: KeyAgreementCurve): Workload<AgreeState> {
  return {
    name: `crypto.${label}.ecdh`,
    group: "crypto",
    setup: () => {
      const crypto = new NobleCrypto({ entropy: benchEntropy() });
      return { crypto, curve, own: crypto.generateAgreementKey(curve), peer: crypto.generateAgreementKey(curve) };
    },
    run: (s) => s.crypto.deriveSharedSecret(s.curve, s.own.privateKey, s.peer.publicKey),
  };
}

export const cryptoWorkloads: Workload<any>[] = [
  ...signing("p256", "ECDSA-P256-SHA256"),
  agreement("p256", "P-256"),
  ...signing("p521", "ECDSA-P521-SHA512"),
  agreement("p521", "P-521"),
  ...signing("ed448", "Ed448"),
  agreement("x448", "X448"),
];

/** The portable implementation's code (noble curves, hashes and ciphers it uses), minified. */
export function cryptoSizeFigures(minifiedSize: (entry: string) => Promise<number>): (() => Promise<SizeFigure>)[] {
  return [async () => ({ name: "hosts/portable-crypto (@noble/*)", bytes: await minifiedSize("hosts/portable-crypto/index.ts") })];
}
