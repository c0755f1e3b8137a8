// Why tools/xs/bundle.ts lowers the static fields of @noble/* when bundling for XS: XS 13
// (xsnap) runs a class's static field initializers before the instance field initializers are
// set up, so a static field that constructs the class — `static BASE = new Point(...)` in
// @noble/curves — throws "not initialized yet" there. By the specification (ECMAScript 2022
// §15.7.14, ClassDefinitionEvaluation) instance fields are defined on F before the static
// elements run, as Node does. When this test fails inside XS, the engine has been fixed and
// the lowering can go.

import { test } from "node:test";
import assert from "node:assert/strict";
import { engine } from "../support/shared";

function classWithSelfInstance(): unknown {
  class Point {
    static ORIGIN = new Point(0);
    x: number;
    constructor(x: number) {
      this.x = x;
    }
  }
  return Point.ORIGIN;
}

test("a static field that constructs its own class (with instance fields): fine on Node, throws in XS 13", () => {
  if (engine === "xs") assert.throws(() => classWithSelfInstance(), /not initialized/);
  else assert.equal((classWithSelfInstance() as { x: number }).x, 0);
});
