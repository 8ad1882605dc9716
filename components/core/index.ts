/** Plain types and decisions every platform shares; no provider SDK. */
export * from "./spec";
export * from "./env";
export * from "./names";
export * from "./rollout";
export type * from "./platform";
