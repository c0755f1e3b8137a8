// Simulated charger hardware for the SECC: DC power module, AC supply, meter, authorization.
export { SimDcPowerModule } from "./dc-power-module";
export type { SimDcPowerModuleOptions, DcLoad } from "./dc-power-module";
export { SimAcSupply } from "./ac-supply";
export { SimAcInverter } from "./ac-inverter";
export type { SimAcInverterOptions, AcLoad } from "./ac-inverter";
export { EnergyAccount, BIDIRECTIONAL_EFFICIENCY } from "./energy-account";
export type { SimAcSupplyOptions } from "./ac-supply";
export { SimMeter } from "./meter";
export type { SimMeterOptions } from "./meter";
export { SimAuthorizer } from "./authorization";
export type { SimAuthorizerOptions } from "./authorization";
