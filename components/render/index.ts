/** Pure text and plain objects: health checks, haproxy.cfg, data-service containers, cloud-init. */
export * from "./healthCheck";
export * from "./dataServices";
export { renderHaproxyConfig, type HaproxyConfigInput, type HaproxyAlgorithm, type HaproxyServer } from "./haproxy";
export * from "./cloudInit";
export { shellQuote, shellWords } from "./shell";
