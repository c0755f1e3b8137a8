// `xs15118 sap --offer LIST HEX`: the charger's answer to a supportedAppProtocolReq.

import type { Command } from "../cli";
import { fromHex, hexProblem, toHex } from "../../../modules/common/index";
import { decode, encode } from "../../../modules/exi/index";
import { PROTOCOLS, PayloadType, V2GTP_VERSION, V2GTP_INVERSE_VERSION, frame, negotiate, parseProtocolList, unframe } from "../../../modules/v2gtp/index";
import { EXIT, EXIT_STATUS_HELP, UsageError, parseOptions, stringOption, usageError } from "./options";

const USAGE = `usage: xs15118 sap --offer LIST [HEX]

Prints the charger's supportedAppProtocolRes to the supportedAppProtocolReq HEX (EXI; read
from stdin when HEX is absent or "-"): the response as hex on the first line, as JSON on the
second. A request with its V2GTP header (01fe8001…) gets an answer with one.

  --offer LIST   the protocols the charger offers, comma separated, from:
                 ${PROTOCOLS.map((p) => p.id).join(", ")}

${EXIT_STATUS_HELP}
             (for sap: 1 is a request that is not hex or not a supportedAppProtocolReq)

example: xs15118 sap --offer din,iso2 8000dbab9371d3234b71d1b981899189d191818991d26b9b3a232b30020000040040`;

const sap: Command = {
  summary: "negotiate a supportedAppProtocolReq as a charger offering the given protocols",
  usage: USAGE,
  async run(args, io) {
    let offerText: string;
    let rest: string[];
    try {
      const parsed = parseOptions("sap", args, [{ name: "--offer", value: "LIST" }], { positionals: 1, positionalName: "one HEX or -" });
      const offer = stringOption(parsed, "--offer");
      if (offer === undefined) throw new UsageError("sap", "--offer LIST is required");
      offerText = offer;
      rest = parsed.positionals;
    } catch (error) {
      if (error instanceof UsageError) return usageError(io, error);
      throw error;
    }
    const { ids, unknown } = parseProtocolList(offerText);
    if (unknown.length > 0 || ids.length === 0) {
      return usageError(io, new UsageError("sap", `unknown protocol${unknown.length === 1 ? "" : "s"} '${unknown.join("', '")}' (known: ${PROTOCOLS.map((p) => p.id).join(", ")})`));
    }
    const hexText = (rest.length === 0 || rest[0] === "-" ? await io.readStdin() : rest[0]).trim();
    let bytes = fromHex(hexText);
    if (!bytes || bytes.length === 0) {
      io.err(`xs15118 sap: the request is not hex: ${hexProblem(hexText) ?? "it is empty"}`);
      return EXIT.failed;
    }
    const framed = bytes.length >= 8 && bytes[0] === V2GTP_VERSION && bytes[1] === V2GTP_INVERSE_VERSION;
    if (framed) {
      try {
        bytes = unframe(bytes, { maxPayloadLength: 65536, payloadTypes: [PayloadType.EXI] }).payload;
      } catch (error) {
        io.err(`xs15118 sap: bad V2GTP header: ${(error as Error).message}`);
        return EXIT.failed;
      }
    }
    let request: object;
    try {
      request = decode("apphand", bytes);
    } catch (error) {
      io.err(`xs15118 sap: cannot decode the request: ${(error as Error).message}`);
      return EXIT.failed;
    }
    if (!("supportedAppProtocolReq" in request)) {
      io.err("xs15118 sap: not a supportedAppProtocolReq");
      return EXIT.failed;
    }
    const decision = negotiate(request, ids);
    const exi = encode("apphand", decision.response);
    io.out(toHex(framed ? frame(PayloadType.EXI, exi) : exi));
    io.out(JSON.stringify(decision.response));
    return EXIT.ok;
  },
};

export default sap;
