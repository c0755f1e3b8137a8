// The site around a bidirectional charger: house load, PV and price profiles, the energy
// manager, and the V2G / V2H / V2L scenarios of the simulator.
export { houseLoad, pvProfile, priceSignal, hashNoise } from "./profiles";
export type { Profile, HouseLoadOptions, PvOptions, PriceOptions } from "./profiles";
export { SimSiteEnergyManager } from "./energy-manager";
export type { SimSiteOptions, SiteUse } from "./energy-manager";
export { scenarioSpec, SCENARIOS } from "./scenarios";
export type { ScenarioName, ScenarioSpec, ScenarioOverrides } from "./scenarios";
