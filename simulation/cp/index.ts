// The simulated control pilot (Node host): the line model and a charger/vehicle pair helper.
export * from "./pilot-sim";
export * from "./pilot-pair";
