/** modules/monitoring: the barrel. The registry entry (module.ts), what the week offers (exports.ts), its build code (build.ts). */
export * from "./module";
export * from "./settings";
export type * from "./exports";
export * from "./build";
