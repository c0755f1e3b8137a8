// The station's settings: what one firmware image needs to know about the board it runs on
// and the outlet it controls (role, protocols, energy modes, limits, pins and bus settings,
// addresses), read from layered sources — the manifest's config (mc/config), then the board's
// persistent overrides (Moddable `preference`), so that one image serves many boards.
//
// Flat keys of at most 15 characters: ESP-IDF's NVS, under Moddable's preference module, limits
// a key to 15 bytes, and a flat map needs no per-entry objects on a small heap. A bad value is
// reported (and the default kept) rather than thrown: a board with one wrong preference still
// boots, logs why, and can be corrected over the console.

export type StationRole = "charger" | "vehicle";
export type StationProtocol = "din" | "iso2";
export type StationTransfer = "dc" | "ac";

export interface StationConfig {
  role: StationRole;
  /** Offered (vehicle) or accepted (charger) protocols, most preferred first. */
  protocols: readonly StationProtocol[];
  transfer: readonly StationTransfer[];
  /** The host's MAC address (EVCCID of a vehicle; IPv6 link-local addresses derive from it). */
  mac: Uint8Array;
  /** Charger: EVSEID (DIN SPEC 91286); vehicle: unused. */
  evseId: string;
  /** TCP port of the charger's V2G server; 0: random in the dynamic range. */
  port: number;
  /**
   * V2G over TLS (ISO 15118-2 §7.7.4: TLS 1.2, the charger authenticated by its SECC
   * certificate): "on" needs the station's PKI on the board (its SECC chain and key, or the V2G
   * root for a vehicle) and a build with TLS, and without them runs no session rather than
   * falling back to plain TCP; "off" (the default, as a board comes from the factory without a
   * PKI): plain TCP, SDP Security 0x10. DIN SPEC 70121 has no TLS.
   */
  tls: "off" | "on";
  /** DC limits of the charger's power module (V, A, W). */
  maxVoltage: number;
  maxCurrent: number;
  maxPower: number;
  minVoltage: number;
  minCurrent: number;
  /** AC outlet: per-phase current limit and phase count. */
  acCurrent: number;
  acPhases: number;
  /** Vehicle: the SoC at which it stops (%). */
  targetSoc: number;
  /** Pilot pins: generator (charger), ±12 V stage enable, ADC, comparator gate, S2 switch (vehicle). */
  pilotOut: number;
  pilotEnable: number | undefined;
  pilotAdc: number;
  pilotGate: number;
  s2Pin: number;
  /**
   * Vehicle: the inlet's proximity (PP) pin, read by ADC through a pull-up (hosts/esp32
   * pilot-input.ts, Esp32ProximityInput); undefined (the default): no PP circuit on the board, and 0 V on the
   * pilot for UNPLUGGED_AFTER_E counts as unplugged instead. No pin by default because a
   * floating input would read as plugs coming and going.
   */
  ppPin: number | undefined;
  /** QCA7000 on SPI: clock, MISO, MOSI, chip select, interrupt, bus speed, SPI host. */
  qcaClock: number;
  qcaIn: number;
  qcaOut: number;
  qcaSelect: number;
  qcaInt: number;
  qcaHz: number;
  qcaPort: number | undefined;
  logLevel: "error" | "warn" | "info" | "debug" | "trace";
}

type Kind =
  | { readonly kind: "number"; readonly min: number; readonly max: number; readonly optional?: boolean }
  | { readonly kind: "enum"; readonly values: readonly string[]; readonly aliases?: Readonly<Record<string, string>> }
  | { readonly kind: "list"; readonly values: readonly string[] }
  | { readonly kind: "mac" }
  | { readonly kind: "string"; readonly maxLength: number };

const PIN: Kind = Object.freeze({ kind: "number", min: 0, max: 48 });
const OPTIONAL_PIN: Kind = Object.freeze({ kind: "number", min: 0, max: 48, optional: true });

/**
 * The preference domain of the board's overrides (on the ESP32 the NVS namespace, ≤ 15
 * characters): the firmware reads each setting from it, `xs15118 pki nvs` writes them into an NVS image.
 */
export const STATION_PREFERENCE_DOMAIN = "xs15118";

/** Every setting, its kind and range. Keys are also the preference keys (≤ 15 characters). */
export const STATION_SETTINGS: Readonly<Record<keyof StationConfig, Kind>> = Object.freeze({
  role: Object.freeze({ kind: "enum", values: Object.freeze(["charger", "vehicle"]), aliases: Object.freeze({ secc: "charger", evcc: "vehicle" }) }),
  protocols: Object.freeze({ kind: "list", values: Object.freeze(["din", "iso2"]) }),
  transfer: Object.freeze({ kind: "list", values: Object.freeze(["dc", "ac"]) }),
  mac: Object.freeze({ kind: "mac" }),
  evseId: Object.freeze({ kind: "string", maxLength: 37 }), // DIN 70121 EVSEID: at most 37 characters
  port: Object.freeze({ kind: "number", min: 0, max: 65535 }),
  tls: Object.freeze({ kind: "enum", values: Object.freeze(["off", "on"]) }),
  maxVoltage: Object.freeze({ kind: "number", min: 50, max: 1500 }),
  maxCurrent: Object.freeze({ kind: "number", min: 1, max: 1000 }),
  maxPower: Object.freeze({ kind: "number", min: 1000, max: 1_000_000 }),
  minVoltage: Object.freeze({ kind: "number", min: 0, max: 1500 }),
  minCurrent: Object.freeze({ kind: "number", min: 0, max: 1000 }),
  acCurrent: Object.freeze({ kind: "number", min: 6, max: 80 }), // IEC 61851-1 Table A.7: 6–80 A
  acPhases: Object.freeze({ kind: "number", min: 1, max: 3 }),
  targetSoc: Object.freeze({ kind: "number", min: 1, max: 100 }),
  pilotOut: PIN,
  pilotEnable: OPTIONAL_PIN,
  pilotAdc: PIN,
  pilotGate: PIN,
  s2Pin: PIN,
  ppPin: OPTIONAL_PIN,
  qcaClock: PIN,
  qcaIn: PIN,
  qcaOut: PIN,
  qcaSelect: PIN,
  qcaInt: PIN,
  qcaHz: Object.freeze({ kind: "number", min: 100_000, max: 12_000_000 }), // QCA7000: SPI at most 12 MHz
  qcaPort: Object.freeze({ kind: "number", min: 0, max: 3, optional: true }),
  logLevel: Object.freeze({ kind: "enum", values: Object.freeze(["error", "warn", "info", "debug", "trace"]) }),
});

/**
 * Defaults: a 50 kW DC charger with a 3 × 16 A AC outlet, pins as on common ESP32 + QCA7000
 * boards (VSPI 18/19/23, CS 5, INT 21; pilot PWM 25, enable 26, ADC 34, gate 35, S2 27).
 */
export const STATION_DEFAULTS: Readonly<Omit<StationConfig, "mac"> & { mac: string }> = Object.freeze({
  role: "charger",
  protocols: Object.freeze(["iso2", "din"]) as readonly StationProtocol[],
  transfer: Object.freeze(["dc"]) as readonly StationTransfer[],
  // A string: a typed array cannot be frozen, and each parse gets its own bytes.
  mac: "02:00:00:00:0a:01",
  evseId: "DE*XS1*E0001",
  port: 0,
  tls: "off",
  maxVoltage: 500,
  maxCurrent: 125,
  maxPower: 50_000,
  minVoltage: 150,
  minCurrent: 0,
  acCurrent: 16,
  acPhases: 3,
  targetSoc: 80,
  pilotOut: 25,
  pilotEnable: 26,
  pilotAdc: 34,
  pilotGate: 35,
  s2Pin: 27,
  ppPin: undefined,
  qcaClock: 18,
  qcaIn: 19,
  qcaOut: 23,
  qcaSelect: 5,
  qcaInt: 21,
  qcaHz: 8_000_000,
  qcaPort: undefined,
  logLevel: "info",
});

export interface StationConfigSource {
  /** Named in problem messages ("manifest", "preference"). */
  readonly name: string;
  readonly values: Readonly<Record<string, unknown>>;
}

export interface ParsedStationConfig {
  readonly config: StationConfig;
  /** One line per rejected value: which source, which key, why. */
  readonly problems: readonly string[];
}

function parseMac(value: unknown): Uint8Array | undefined {
  if (typeof value !== "string") return undefined;
  const parts = value.split(/[:-]/);
  if (parts.length !== 6) return undefined;
  const mac = new Uint8Array(6);
  for (let i = 0; i < 6; i++) {
    if (!/^[0-9a-fA-F]{2}$/.test(parts[i])) return undefined;
    mac[i] = parseInt(parts[i], 16);
  }
  return mac[0] & 1 ? undefined : mac; // a station address, never a group address
}

/** The value as the setting's type, or a reason it is not one. */
function convert(kind: Kind, value: unknown): { value: unknown } | { why: string } {
  switch (kind.kind) {
    case "number": {
      if (kind.optional && (value === null || value === "" || value === "none")) return { value: undefined };
      const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
      if (n !== n || n < kind.min || n > kind.max) return { why: `needs a number in ${kind.min}..${kind.max}` };
      return { value: n };
    }
    case "enum": {
      const text = typeof value === "string" ? (kind.aliases?.[value] ?? value) : "";
      return kind.values.indexOf(text) >= 0 ? { value: text } : { why: `is one of ${kind.values.join(", ")}` };
    }
    case "list": {
      const items = Array.isArray(value) ? value : typeof value === "string" ? value.split(",") : undefined;
      if (!items || items.length === 0) return { why: `is a list of ${kind.values.join(", ")}` };
      const out: string[] = [];
      for (const item of items) {
        const text = typeof item === "string" ? item.trim() : "";
        if (kind.values.indexOf(text) < 0) return { why: `is a list of ${kind.values.join(", ")}` };
        if (out.indexOf(text) < 0) out.push(text);
      }
      return { value: out };
    }
    case "mac": {
      const mac = parseMac(value);
      return mac ? { value: mac } : { why: "needs a station MAC address like 02:00:00:00:0a:01" };
    }
    case "string":
      return typeof value === "string" && value.length > 0 && value.length <= kind.maxLength ? { value } : { why: `needs a text of 1..${kind.maxLength} characters` };
  }
}

/**
 * Merges the sources in order (later ones override earlier ones) over the defaults. Keys that
 * are not settings are ignored: the manifest's config also carries the SDK's own entries.
 */
export function parseStationConfig(sources: readonly StationConfigSource[]): ParsedStationConfig {
  const config = { ...STATION_DEFAULTS, mac: parseMac(STATION_DEFAULTS.mac) } as Record<string, unknown>;
  const problems: string[] = [];
  for (const source of sources) {
    for (const key of Object.keys(source.values)) {
      const kind = (STATION_SETTINGS as Readonly<Record<string, Kind>>)[key];
      if (!kind) continue;
      const result = convert(kind, source.values[key]);
      if ("why" in result) problems.push(`${source.name}: ${key} ${result.why} (got ${String(source.values[key])}); kept the previous value`);
      else config[key] = result.value;
    }
  }
  const parsed = config as unknown as StationConfig;
  if (parsed.minVoltage > parsed.maxVoltage) problems.push(`minVoltage ${parsed.minVoltage} is above maxVoltage ${parsed.maxVoltage}`);
  if (parsed.transfer.indexOf("ac") >= 0 && parsed.protocols.length === 1 && parsed.protocols[0] === "din") problems.push("DIN 70121 is DC only: AC needs iso2 among the protocols");
  return { config: parsed, problems };
}
