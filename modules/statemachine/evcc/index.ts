// The EVCC (vehicle) side: session, connection binding, BMS and vehicle interfaces.
export { EvccSession, resolveEvccConfig } from "./session";
export type { EvccSessionOptions } from "./session";
export type * from "./types";
export type { EvccFacts, StepContext, StepResult, VehicleAction, EvccStep } from "./step";
export { EVCC_STEPS } from "./steps/index";
export * from "./timeouts";
export { physical, physicalAtMost, fromPhysical } from "./physical";
export { chargingProfileFromSchedule, scheduleOfTuple, iso2ChargingProfile, dinChargingProfile, schedulePMaxAt, profileMaxPowerAt, MAX_PROFILE_ENTRIES } from "./charging-profile";
export type { ScheduleEntry, ProfileStep, ProfileOptions } from "./charging-profile";
export type { PhysicalValue } from "./physical";
export type { V2gMessageDoc, EvccSchema, ResOf, AnyResponse, DcEvseStatus, AcEvseStatus } from "./msg";
export type { EvccDoc, EvccProtocol } from "./msg";
export { bodyElement, requestDoc } from "./msg";
export { EvccConnection } from "./connection";
export { OEM_PROVISIONING_SLOT, acceptContract, usableContract } from "./iso2-pnc";
export type { Iso2EvccPnc, ContractInstallResult } from "./iso2-pnc";
export type { EvccConnectionOptions, EvccConnectionOutcome, EvccCodec } from "./connection";
