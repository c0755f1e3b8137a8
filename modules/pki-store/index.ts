// Certificates, keys and cryptography for TLS and Plug & Charge (ISO 15118-2, -20).
export type * from "./crypto";
export { SIGNATURE_SIZES, KEY_AGREEMENT_SIZES, requireLength } from "./crypto";
export type * from "./tls";
export * from "./der";
export * from "./x509";
export * from "./chain";
export * from "./storage";
export * from "./store";
export * from "./xmldsig";
export * from "./ocsp";
export * from "./key-transport";
export * from "./key-transport-iso20";
