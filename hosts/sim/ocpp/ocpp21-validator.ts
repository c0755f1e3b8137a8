// Strict OCPP 2.1 validation for ocpp-rpc 2.2.1: the library ships the OCPP 2.1 JSON schemas, but
// under the ids of the 2.1 release ("urn:BootNotificationRequest" / "…Response") while its
// validator looks schemas up as "urn:<Method>.req" / ".conf" (the 1.6 and 2.0.1 naming), so
// strictMode with "ocpp2.1" refuses every message ("Schema … is missing"). This re-registers the
// same schemas under the ids the validator asks for (ocpp-rpc's documented strictModeValidators).

import { createRequire } from "node:module";
import { createValidator } from "ocpp-rpc";

const require = createRequire(import.meta.url);

export function ocpp21Validator(): ReturnType<typeof createValidator> {
  const schemas = require("ocpp-rpc/lib/schemas/ocpp2_1.json") as { $id: string }[];
  const renamed = schemas.map((schema) => ({ ...schema, $id: schema.$id.replace(/Request$/, ".req").replace(/Response$/, ".conf") }));
  return createValidator("ocpp2.1", renamed);
}
