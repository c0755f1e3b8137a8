// Signed V2G messages: W3C XML Signature over EXI, as ISO 15118-2 §7.9.2.4 (V2G2-771 … V2G2-773,
// V2G2-767) and ISO 15118-20 (§8.8.4, same xmldsig namespace and layout) lay it out.
//
// A signed message carries one ds:Signature in its Header. Its SignedInfo lists one Reference per
// signed element: URI "#<Id>" names the element carrying that Id attribute (a body element such
// as AuthorizationReq, or parts of one such as ContractSignatureCertChain), with one Transform
// (canonical EXI, V2G2-767) and DigestValue = hash(EXI fragment of that element). The
// SignatureValue is the signature over the EXI fragment of SignedInfo itself.
//
// Which grammar encodes which fragment (checked against the RiseV2G/dsV2Gshark Plug & Charge
// captures in ../shared, tests/pki-store/xmldsig.test.ts — every signature there verifies this way):
//  - the referenced element: the message family's full grammar (the V2G_CI_MsgDef fragment
//    grammar: `encodeFragment("iso2", { AuthorizationReq: … })`);
//  - SignedInfo: the xmldsig schema's grammar alone (`encodeFragment("xmldsig", { SignedInfo })`);
//    the family grammar gives other bytes and the captured signatures do not verify with them.
// ISO 15118-20 uses the same rules with its own family grammar for the references
// (e.g. "iso20-cm"); no captured -20 signature was available to confirm it.
//
// Algorithms per signature scheme (-2: ECDSA P-256 + SHA-256; -20: ECDSA P-521 + SHA-512, or
// Ed448 with SHAKE256 digests). ECDSA values are raw r‖s (not DER). Where the Ed448 values come
// from (no -20 Ed448 capture exists to check them against):
//  - SignatureMethod "http://www.w3.org/2021/04/xmldsig-more#eddsa-ed448": RFC 9231 §2.3.12
//    (pure Ed448, not #eddsa-ed448ph), as Apache Santuario and the JDK's XML DSig name it.
//  - DigestMethod SHAKE256 beside Ed448: EVerest's -20 Plug & Charge (checked against ISO/FDIS
//    15118-20) verifies "Ed448 with SHAKE256"; one other public -20 implementation puts SHA-512
//    digests under Ed448 signatures instead, so a peer may differ here.
//  - Its URI "http://www.w3.org/2021/04/xmldsig-more#shake256" and 64-byte output: the only
//    public use of the URI found is one XML-DSig library's test; 512 bits is SHAKE256's output
//    wherever it stands in for a fixed hash beside Ed448 (RFC 8419 §3.1 for CMS, FIPS 186-5 §6.4).
//    Not confirmed against the -20 text.

import { bytesEqual } from "../common/bytes";
import { DecodeError, ImplementationError } from "../common/errors";
import { encodeFragment, type ExiCodec, type SchemaId, type XmlDsig } from "../exi/index";
import { SIGNATURE_SIZES, type CryptoHost, type HashAlgorithm, type SignatureScheme } from "./crypto";

export type SignatureType = XmlDsig.SignatureType;

export const XMLDSIG_CANONICAL_EXI = "http://www.w3.org/TR/canonical-exi/";

interface SchemeAlgorithms {
  signatureMethod: string;
  digestMethod: string;
  hash: HashAlgorithm;
  /** Digest length in bytes (SHAKE256 is an XOF: -20 uses 64 bytes, as SHA-512). */
  digestLength: number;
}

/** The URIs and hash each signature scheme writes into SignedInfo. */
export const XMLDSIG_ALGORITHMS: Readonly<Record<SignatureScheme, Readonly<SchemeAlgorithms>>> = Object.freeze({
  "ECDSA-P256-SHA256": Object.freeze({
    signatureMethod: "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    digestMethod: "http://www.w3.org/2001/04/xmlenc#sha256",
    hash: "SHA-256" as HashAlgorithm,
    digestLength: 32,
  }),
  "ECDSA-P521-SHA512": Object.freeze({
    signatureMethod: "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
    digestMethod: "http://www.w3.org/2001/04/xmlenc#sha512",
    hash: "SHA-512" as HashAlgorithm,
    digestLength: 64,
  }),
  Ed448: Object.freeze({
    signatureMethod: "http://www.w3.org/2021/04/xmldsig-more#eddsa-ed448",
    digestMethod: "http://www.w3.org/2021/04/xmldsig-more#shake256",
    hash: "SHAKE256" as HashAlgorithm,
    digestLength: 64,
  }),
});

/** Which scheme a SignatureMethod URI names; undefined for any other algorithm. */
export function signatureSchemeOf(signatureMethod: string): SignatureScheme | undefined {
  if (signatureMethod === XMLDSIG_ALGORITHMS["ECDSA-P256-SHA256"].signatureMethod) return "ECDSA-P256-SHA256";
  if (signatureMethod === XMLDSIG_ALGORITHMS["ECDSA-P521-SHA512"].signatureMethod) return "ECDSA-P521-SHA512";
  if (signatureMethod === XMLDSIG_ALGORITHMS.Ed448.signatureMethod) return "Ed448";
  return undefined;
}

/**
 * Why a peer's signed message was refused. Every reason answers FAILED_SignatureError in
 * ISO 15118-2 (responseCodeType) and in ISO 15118-20.
 *  - signature-missing: no Signature where the message must be signed (e.g. AuthorizationReq
 *    in PnC, V2G2-684 … requires it), or no Reference for an element that must be covered;
 *  - signature-algorithm: a canonicalization, transform, digest or signature method other than
 *    the scheme's (or a scheme other than the certificate's key);
 *  - signature-reference: a Reference whose URI names no signed element, or names one twice;
 *  - signature-digest: an element's digest does not match (the element was changed);
 *  - signature-value: the SignatureValue does not verify with the signer's key;
 *  - signature-encoding: a referenced element or SignedInfo cannot be EXI-encoded again.
 */
export type SignatureFailure =
  | "signature-missing"
  | "signature-algorithm"
  | "signature-reference"
  | "signature-digest"
  | "signature-value"
  | "signature-encoding";

export class SignatureError extends DecodeError<SignatureFailure> {
  constructor(reason: SignatureFailure, message?: string) {
    super(reason, message);
    this.name = "SignatureError";
  }
}

/** The response code a refused signature gets (the same in both standards). */
export const SIGNATURE_RESPONSE_CODE = "FAILED_SignatureError";

/**
 * One signed element: its Id attribute value and the fragment object `encodeFragment` takes,
 * `{ <ElementLocalName>: content }` (content carries `Id`; add `$ns` where the local name is
 * declared in several namespaces, modules/exi/README.md Fragments).
 */
export interface SignedFragment {
  id: string;
  fragment: object;
}

interface CommonOptions {
  crypto: CryptoHost;
  /** The family whose grammar encodes the referenced elements: "iso2", "iso20-cm", … */
  schema: SchemaId;
  /** A connection's reusable codec (else one-shot encoders). */
  codec?: ExiCodec;
}

export interface SignOptions extends CommonOptions {
  scheme: SignatureScheme;
  privateKey: Uint8Array;
  /** The elements to sign, in Reference order. */
  fragments: readonly SignedFragment[];
}

export interface VerifyOptions extends CommonOptions {
  signature: SignatureType | undefined;
  /** The signer's public key (the leaf certificate's subjectPublicKey) and its scheme. */
  scheme: SignatureScheme;
  publicKey: Uint8Array;
  /**
   * The elements the receiver relies on: each must be covered by exactly one Reference, and
   * every Reference must name one of them (a reference to anything else is refused, so a
   * signature cannot vouch for an element the receiver did not look up).
   */
  fragments: readonly SignedFragment[];
}

function fragmentBytes(o: CommonOptions, schema: SchemaId, fragment: object, ours: boolean): Uint8Array {
  // A peer's element is re-encoded as it came (no facet check): a value outside its facet the
  // signer nevertheless encoded must hash the same here.
  const options = { checkFacets: ours };
  try {
    return o.codec ? o.codec.encodeFragment(schema, fragment, options) : encodeFragment(schema, fragment, options);
  } catch (error) {
    if (ours) throw error;
    throw new SignatureError("signature-encoding", `cannot EXI-encode the signed fragment: ${(error as Error).message}`);
  }
}

function digestOf(o: CommonOptions, algorithms: SchemeAlgorithms, bytes: Uint8Array): Uint8Array {
  return o.crypto.digest(algorithms.hash, bytes, algorithms.digestLength);
}

/** The EXI bytes the SignatureValue covers: SignedInfo as an xmldsig-grammar fragment. */
export function signedInfoBytes(signedInfo: XmlDsig.SignedInfoType, codec?: ExiCodec, checkFacets = true): Uint8Array {
  const doc = { SignedInfo: signedInfo };
  return codec ? codec.encodeFragment("xmldsig", doc, { checkFacets }) : encodeFragment("xmldsig", doc, { checkFacets });
}

/** Builds the Header's Signature over `fragments` (V2G2-771: one Reference per signed element). */
export function signFragments(o: SignOptions): SignatureType {
  const algorithms = XMLDSIG_ALGORITHMS[o.scheme];
  if (!algorithms) throw new ImplementationError(`unknown signature scheme ${String(o.scheme)}`);
  if (o.fragments.length === 0) throw new ImplementationError("nothing to sign");
  const references: XmlDsig.ReferenceType[] = [];
  for (const f of o.fragments) {
    references.push({
      URI: `#${f.id}`,
      Transforms: { Transform: [{ Algorithm: XMLDSIG_CANONICAL_EXI }] },
      DigestMethod: { Algorithm: algorithms.digestMethod },
      DigestValue: digestOf(o, algorithms, fragmentBytes(o, o.schema, f.fragment, true)),
    });
  }
  const SignedInfo: XmlDsig.SignedInfoType = {
    CanonicalizationMethod: { Algorithm: XMLDSIG_CANONICAL_EXI },
    SignatureMethod: { Algorithm: algorithms.signatureMethod },
    Reference: references,
  };
  const value = o.crypto.sign(o.scheme, o.privateKey, signedInfoBytes(SignedInfo, o.codec));
  return { SignedInfo, SignatureValue: { $value: value } };
}

function isAlgorithm(method: { Algorithm: string; $content?: unknown } | undefined, uri: string): boolean {
  // Parameters (child content) are not part of any algorithm V2G uses: refuse them.
  return method !== undefined && method.Algorithm === uri && method.$content === undefined;
}

/**
 * Verifies a peer's signature over `fragments`; returns normally when it holds, else throws
 * SignatureError (answer FAILED_SignatureError and end the session, V2G2-xxx per message).
 */
export function verifySignature(o: VerifyOptions): void {
  const sig = o.signature;
  if (!sig || !sig.SignedInfo || !sig.SignatureValue) throw new SignatureError("signature-missing", "the message carries no Signature");
  const algorithms = XMLDSIG_ALGORITHMS[o.scheme];
  if (!algorithms) throw new ImplementationError(`unknown signature scheme ${String(o.scheme)}`);
  const info = sig.SignedInfo;
  if (!isAlgorithm(info.CanonicalizationMethod, XMLDSIG_CANONICAL_EXI)) throw new SignatureError("signature-algorithm", `canonicalization ${info.CanonicalizationMethod?.Algorithm}, not canonical EXI`);
  const named = info.SignatureMethod ? signatureSchemeOf(info.SignatureMethod.Algorithm) : undefined;
  if (named !== o.scheme || info.SignatureMethod.HMACOutputLength !== undefined || info.SignatureMethod.$content !== undefined) {
    throw new SignatureError("signature-algorithm", `signature method ${info.SignatureMethod?.Algorithm} does not fit the signer's ${o.scheme} key`);
  }
  const value = sig.SignatureValue.$value;
  if (!(value instanceof Uint8Array) || value.length !== SIGNATURE_SIZES[o.scheme].signature) {
    throw new SignatureError("signature-value", `SignatureValue of ${value instanceof Uint8Array ? value.length : "no"} bytes, ${o.scheme} has ${SIGNATURE_SIZES[o.scheme].signature}`);
  }
  const references = info.Reference ?? [];
  const covered: boolean[] = [];
  for (let i = 0; i < o.fragments.length; i++) covered.push(false);
  for (const ref of references) {
    const uri = ref.URI ?? "";
    let index = -1;
    for (let i = 0; i < o.fragments.length; i++) if (uri === `#${o.fragments[i].id}`) index = i;
    if (index < 0) throw new SignatureError("signature-reference", `Reference ${JSON.stringify(uri)} names no element the message signs`);
    if (covered[index]) throw new SignatureError("signature-reference", `Reference ${uri} appears twice`);
    covered[index] = true;
    const transforms = ref.Transforms?.Transform;
    // V2G2-767: exactly one transform, canonical EXI.
    if (!transforms || transforms.length !== 1 || !isAlgorithm(transforms[0], XMLDSIG_CANONICAL_EXI)) throw new SignatureError("signature-algorithm", `Reference ${uri}: the transform must be canonical EXI alone`);
    if (!isAlgorithm(ref.DigestMethod, algorithms.digestMethod)) throw new SignatureError("signature-algorithm", `Reference ${uri}: digest ${ref.DigestMethod?.Algorithm}, expected ${algorithms.digestMethod}`);
    const digest = digestOf(o, algorithms, fragmentBytes(o, o.schema, o.fragments[index].fragment, false));
    if (!(ref.DigestValue instanceof Uint8Array) || !bytesEqual(digest, ref.DigestValue)) throw new SignatureError("signature-digest", `Reference ${uri}: the element's digest does not match (changed after signing)`);
  }
  for (let i = 0; i < covered.length; i++) if (!covered[i]) throw new SignatureError("signature-missing", `no Reference covers #${o.fragments[i].id}`);
  let bytes: Uint8Array;
  try {
    bytes = signedInfoBytes(info, o.codec, false);
  } catch (error) {
    throw new SignatureError("signature-encoding", `cannot EXI-encode SignedInfo: ${(error as Error).message}`);
  }
  if (!o.crypto.verify(o.scheme, o.publicKey, bytes, value)) throw new SignatureError("signature-value", "the SignatureValue does not verify with the signer's key");
}

/**
 * Every element of `content` (a message body object, or any part of one) that carries a string
 * `Id` attribute, as signed fragments `{ <name>: value }`, in document order. The receiver uses
 * it to look up what a Reference names; the sender to list what it signs.
 */
export function fragmentsWithId(content: object): SignedFragment[] {
  const found: SignedFragment[] = [];
  collect(content, found);
  return found;
}

function collect(value: object, found: SignedFragment[]): void {
  for (const key of Object.keys(value)) {
    if (key.charCodeAt(0) === 36 /* $ */) continue;
    const child = (value as Record<string, unknown>)[key];
    const items = Array.isArray(child) ? child : [child];
    for (const item of items) {
      if (item === null || typeof item !== "object" || item instanceof Uint8Array) continue;
      const id = (item as { Id?: unknown }).Id;
      if (typeof id === "string") found.push({ id, fragment: { [key]: item } });
      collect(item as object, found);
    }
  }
}
