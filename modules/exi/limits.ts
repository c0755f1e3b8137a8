// Hard limits against hostile EXI input. Every one is far above what real ISO 15118 / DIN
// traffic and the oracle vectors need (largest: CertificateInstallationRes ≈ 4.6 kB, arrays
// of maxOccurs 2048, integers of 160 bits); exceeding one throws ExiError("exi-limit").

/** Longest string value, in Unicode code points. */
export const MAX_STRING_LENGTH = 16384;
/** Longest hexBinary/base64Binary value, in bytes. */
export const MAX_BINARY_LENGTH = 65536;
/** Most repetitions of one particle (bounded maxOccurs ≤ 2048 in the schemas; unbounded loops). */
export const MAX_REPEAT = 4096;
/** Deepest element nesting (the deepest real message is about 8). */
export const MAX_DEPTH = 64;
/** Most elements (start-element events) in one stream. */
export const MAX_ELEMENTS = 65536;
/** Longest unsigned-integer encoding, in 7-bit groups (xs:integer values up to 448 bits). */
export const MAX_INTEGER_GROUPS = 64;
