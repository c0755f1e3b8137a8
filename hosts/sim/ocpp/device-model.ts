// The ISO15118Ctrlr component of the OCPP 2.0.1 device model (Part 2, Appendices: "ISO15118
// controller"), answered for GetVariables (B06) and SetVariables (B05).

type Kind = "boolean" | "string" | "integer";

interface Variable {
  readonly kind: Kind;
  readonly writable: boolean;
  value: string;
}

export interface VariableRequest {
  component: { name: string; instance?: string; evse?: { id: number } };
  variable: { name: string; instance?: string };
  attributeType?: "Actual" | "Target" | "MinSet" | "MaxSet";
  attributeValue?: string;
}

export class Iso15118Ctrlr {
  static readonly COMPONENT = "ISO15118Ctrlr";
  readonly #vars = new Map<string, Variable>();

  constructor(options: { seccId?: string } = {}) {
    const v = (name: string, kind: Kind, writable: boolean, value: string): void => void this.#vars.set(name, { kind, writable, value });
    v("SeccId", "string", false, options.seccId ?? "");
    v("PnCEnabled", "boolean", true, "false");
    v("CentralContractValidationAllowed", "boolean", true, "false");
    v("ContractValidationOffline", "boolean", true, "false");
    v("V2GCertificateInstallationEnabled", "boolean", true, "false");
    v("ContractCertificateInstallationEnabled", "boolean", true, "false");
    v("RequestMeteringReceipt", "boolean", true, "false");
    // An ISO-2 SAScheduleList from OCPP carries one PMaxSchedule of at most 24 entries here.
    v("MaxScheduleEntries", "integer", false, "24");
    v("CountryName", "string", true, "DE");
    v("OrganizationName", "string", true, "xs15118");
  }

  /** The value of a variable (undefined: unknown). */
  value(name: string): string | undefined {
    return this.#vars.get(name)?.value;
  }

  get(requests: readonly VariableRequest[]): object[] {
    return requests.map((r) => this.#answer(r, (v, base) => ({ ...base, attributeStatus: "Accepted", attributeValue: v.value })));
  }

  set(requests: readonly VariableRequest[]): object[] {
    return requests.map((r) =>
      this.#answer(r, (v, base) => {
        const value = r.attributeValue ?? "";
        const ok = v.writable && (v.kind === "boolean" ? value === "true" || value === "false" : v.kind === "integer" ? /^-?\d+$/.test(value) : true);
        if (!ok) return { ...base, attributeStatus: "Rejected" };
        v.value = value;
        return { ...base, attributeStatus: "Accepted" };
      }),
    );
  }

  /** The result for one request: unknown component, variable or attribute type, or what `found` says. */
  #answer(r: VariableRequest, found: (v: Variable, base: object) => object): object {
    const base = { component: r.component, variable: r.variable, ...(r.attributeType !== undefined ? { attributeType: r.attributeType } : {}) };
    if (r.component.name !== Iso15118Ctrlr.COMPONENT) return { ...base, attributeStatus: "UnknownComponent" };
    const v = this.#vars.get(r.variable.name);
    if (v === undefined) return { ...base, attributeStatus: "UnknownVariable" };
    if (r.attributeType !== undefined && r.attributeType !== "Actual") return { ...base, attributeStatus: "NotSupportedAttributeType" };
    return found(v, base);
  }
}
