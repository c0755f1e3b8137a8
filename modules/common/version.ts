// The stack's version, reported in logs and by the CLI.
export const VERSION = "0.1.0";
