/**
 * Cloud-init user data for every droplet horizon creates, one module per job: an app
 * replica, a data droplet, an HAProxy node; `common.ts` holds what they share.
 */
export { type ContainerLogOptions, DEFAULT_LOG_MAX_FILES, DEFAULT_LOG_MAX_SIZE_MB } from "./common";
export * from "./app";
export * from "./data";
export * from "./haproxy";
