/** `horizon/digitalocean`: the droplet platform and its components, for composing by hand. */
export { dropletsPlatform, type DropletRegionData, type DropletRegionUnit, type DropletTransforms } from "./platform";
export { Network, type NetworkArgs } from "./network";
export {
    AppFleet,
    type AppFleetArgs,
    type AppContainer,
    type TrafficSources,
    DEFAULT_DROPLET_IMAGE,
    FLEET_DATA_TCP_PORTS,
    FLEET_EGRESS_TCP_PORTS,
    fleetFirewallRules,
} from "./appFleet";
export { LoadBalancer, type LoadBalancerArgs, loadBalancerHealthcheck } from "./loadBalancer";
export { HaproxyTier, type HaproxyTierArgs, HAPROXY_LISTEN_PORT } from "./haproxyTier";
export { Postgres, type PostgresArgs } from "./postgres";
export { CLUSTER_REPLACEMENT_FIELDS, type ManagedClusterArgs } from "./managedCluster";
export { Cache, type CacheArgs } from "./cache";
export { DataNode, type DataNodeArgs, DEFAULT_DATA_NODE_SIZE } from "./dataNode";
export { Dns, type DnsArgs, type DnsRecordSpec, splitDomain } from "./dns";
export * from "./healthGate";
export { GlobalLoadBalancer, type GlobalLoadBalancerArgs, glbSettings } from "./globalLoadBalancer";
export { ReadReplica, type ReadReplicaArgs } from "./readReplica";
export { VpcPeerings, type VpcPeeringsArgs, type PeeredNetwork } from "./vpcPeering";
