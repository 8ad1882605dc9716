/**
 * horizon: typed Pulumi components that scale a stateless web app horizontally.
 *
 * The root holds what every platform shares: `WebService`, the stack configuration, the
 * core spec types and the renderers. Each platform's components live under its own subpath
 * (`horizon/digitalocean`), so a program loads only the provider SDKs it uses.
 */
// config/public.ts, not config/index.ts: the zod schemas stay internal.
export * from "./config/public";
export * from "./core";
export * from "./render";
export { type Transform, transformChild } from "./transform";
export { WebService, type RegionalUnit, type WebServiceOptions, type WebServiceTransforms } from "./webService";
