export * from "./config";
export { type Transform, transformChild } from "./transform";
export { WebService, type WebServiceOptions, type WebServiceTransforms, type RegionalUnit } from "./webService";
export { Network, type NetworkArgs } from "./digitalocean/network";
export {
    AppFleet,
    type AppFleetArgs,
    type AppContainer,
    type TrafficSources,
    DEFAULT_DROPLET_IMAGE,
    FLEET_EGRESS_TCP_PORTS,
    fleetFirewallRules,
} from "./digitalocean/appFleet";
export { LoadBalancer, type LoadBalancerArgs, loadBalancerHealthcheck } from "./digitalocean/loadBalancer";
export { HaproxyTier, type HaproxyTierArgs, HAPROXY_LISTEN_PORT } from "./digitalocean/haproxyTier";
export { Postgres, type PostgresArgs } from "./digitalocean/postgres";
export { CLUSTER_REPLACEMENT_FIELDS, type ManagedClusterArgs } from "./digitalocean/managedCluster";
export { Cache, type CacheArgs } from "./digitalocean/cache";
export { DataNode, type DataNodeArgs, DEFAULT_DATA_NODE_SIZE } from "./digitalocean/dataNode";
export { Dns, type DnsArgs, type DnsRecordSpec, splitDomain } from "./digitalocean/dns";
export * from "./digitalocean/healthGate";
export { renderHaproxyConfig, type HaproxyConfigInput } from "./render/haproxy";
export * from "./render/cloudInit";
export * from "./render/names";
