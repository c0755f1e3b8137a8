// The codec's loops keep the XS stack flat however many events one element holds. XS (xsnap's
// build) leaks one stack slot per `continue` taken from inside a `switch`: the decoder's event
// loop did that for every simple child, so an element with ~3,600 simple children exhausted
// xsnap's 4,096 slots (on the device's 576-slot stack, a few hundred) and aborted the machine.
// tests/project/xs-switch-continue.test.ts keeps the construct out of modules/.

import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFragment, encodeFragment } from "../../modules/exi/index";

const DS = "http://www.w3.org/2000/09/xmldsig#";
const CHILDREN = 4000;

test(`${CHILDREN} simple children in one element (ds:X509Data's repeated choice) decode with a flat stack`, () => {
  const certificates: Uint8Array[] = [];
  for (let i = 0; i < CHILDREN; i++) certificates.push(Uint8Array.of(i & 0xff));
  const bytes = encodeFragment("xmldsig", { X509Data: { X509Certificate: certificates } });
  const back = decodeFragment("xmldsig", bytes) as { X509Data: { X509Certificate: Uint8Array[] } };
  assert.equal(back.X509Data.X509Certificate.length, CHILDREN);
  assert.equal(back.X509Data.X509Certificate[CHILDREN - 1][0], (CHILDREN - 1) & 0xff);
});

test(`${CHILDREN} wildcard children with simple content (ds:Object ##any) decode with a flat stack`, () => {
  const items: unknown[] = [];
  for (let i = 0; i < CHILDREN; i++) items.push({ $wildcard: { ns: DS, name: "KeyName", value: "k" } });
  const back = decodeFragment("xmldsig", encodeFragment("xmldsig", { Object: { $content: items } })) as { Object: { $content: unknown[] } };
  assert.equal(back.Object.$content.length, CHILDREN);
});
