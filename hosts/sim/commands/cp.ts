// `xs15118 cp duty AMPS` / `xs15118 cp amps DUTY`: the IEC 61851-1 Table A.7/A.8 conversions.

import { CpPwmError, currentForDuty, dutyForCurrent } from "../../../modules/cp-pwm/index";
import type { Command } from "../cli";
import { EXIT, EXIT_STATUS_HELP, UsageError, parseOptions, usageError } from "./options";

const USAGE = [
  "usage: xs15118 cp duty AMPS    the duty cycle (percent) a charger advertises for a current limit",
  "       xs15118 cp amps DUTY    the current a vehicle reads from a duty cycle (percent), or the",
  "                               band's meaning: digital (3..7 %), error (no charging), no-pwm (0/100 %)",
  "",
  "IEC 61851-1 Annex A, Tables A.7/A.8. The charger rounds down, never advertising more than AMPS:",
  "  xs15118 cp duty 32   → 53.3        xs15118 cp amps 53.3 → 31.98        xs15118 cp amps 5 → digital",
  "",
  EXIT_STATUS_HELP,
  "             (for cp: a value outside the table is a usage error, 2)",
].join("\n");

const command: Command = {
  summary: "control pilot: duty cycle ↔ current (IEC 61851-1)",
  usage: USAGE,
  run(args, io) {
    let what: string | undefined;
    let value: string | undefined;
    try {
      // no options; "--" is not needed: a negative value is no option name
      [what, value] = parseOptions("cp", args, [], { positionals: 2, positionalName: "duty AMPS or amps DUTY" }).positionals;
      if (what !== "duty" && what !== "amps") throw new UsageError("cp", what === undefined ? "expected duty AMPS or amps DUTY" : `unknown conversion '${what}' (duty AMPS or amps DUTY)`);
      if (value === undefined) throw new UsageError("cp", `expected a value: cp ${what} ${what === "duty" ? "AMPS" : "DUTY"}`);
    } catch (error) {
      if (error instanceof UsageError) return usageError(io, error);
      throw error;
    }
    const number = value.trim() === "" ? Number.NaN : Number(value.replace(/%$/, ""));
    if (number !== number) return usageError(io, new UsageError("cp", `'${value}' is not a number`));
    try {
      if (what === "duty") {
        io.out(String(dutyForCurrent(number)));
      } else {
        const meaning = currentForDuty(number);
        io.out(meaning.kind === "current" ? String(meaning.amps) : meaning.kind);
      }
      return EXIT.ok;
    } catch (error) {
      if (!(error instanceof CpPwmError)) throw error;
      io.err(
        error.reason === "current-out-of-range"
          ? `xs15118 cp: ${number} A cannot be advertised by PWM (6..80 A; above 80 A the charger sends 96 %)`
          : `xs15118 cp: ${number} % is not a duty cycle (0..100)`,
      );
      return EXIT.usage;
    }
  },
};

export default command;
