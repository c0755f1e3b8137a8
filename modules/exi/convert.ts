import type { Grammar } from "./tables";
import type { XmlElement } from "./xml-tree";
import { ExiError } from "./error";

export function toTree(g: Grammar, doc: object): XmlElement {
  void g; void doc;
  throw new ExiError("exi-encode", "not yet");
}

export function fromTree(g: Grammar, tree: XmlElement, fragment: boolean): object {
  void g; void tree; void fragment;
  throw new ExiError("exi-encode", "not yet");
}
