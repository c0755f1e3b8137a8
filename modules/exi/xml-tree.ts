// The neutral XML element tree shared by the EXI codec (schema-driven conversion between
// message objects and XML: toXmlTree/fromXmlTree in tools/exi-xml/convert.ts) and the XML text
// parser/serializer (tools/exi-xml/xml.ts). Namespaces are URIs ("" for no namespace); prefixes are not kept,
// so the QName value of an xsi:type attribute is kept as `{uri}local`.
// Text children are plain strings (adjacent text is one string).

export interface XmlAttribute {
  ns: string;
  name: string;
  value: string;
}

export interface XmlElement {
  ns: string;
  name: string;
  attrs: XmlAttribute[];
  children: (XmlElement | string)[];
}
