export * from "./schema";
export * from "./public";
