import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fromHex, hexProblem } from "../../modules/common/index";

describe("hexProblem: why fromHex refuses a text, for the person who typed it", () => {
  test("names the first non-hex character and its position (from 1, whitespace counted)", () => {
    assert.equal(hexProblem("80 9a 0g"), "'g' at position 8 is not a hex digit");
    assert.equal(hexProblem("zz"), "'z' at position 1 is not a hex digit");
    // even length but not hex: it used to be called "not an even number of hex digits"
    assert.equal(hexProblem("8000dbab937g"), "'g' at position 12 is not a hex digit");
    assert.equal(hexProblem("1\u001e2"), "U+001E at position 2 is not a hex digit", "an unprintable character by its code point");
    assert.equal(hexProblem("00x1"), "'x' at position 3 is not a hex digit", "0x only as a prefix");
  });

  test("an odd count of digits says so, with the count", () => {
    assert.equal(hexProblem("abc"), "3 hex digits: an odd count (each byte takes two)");
    assert.equal(hexProblem("12 3"), "3 hex digits: an odd count (each byte takes two)");
  });

  test("agrees with fromHex on what is hex", () => {
    for (const text of ["0x01 fe 80 01", "0X12", " 0x12", "0 x12", "", "0x", "abc", "zz", "1 2 3 4", "12\n34", "ééé", "0x0x", "AbCdEf"]) {
      assert.equal(hexProblem(text) === undefined, fromHex(text) !== undefined, JSON.stringify(text));
    }
  });
});
