/** `horizon/docker`: the Docker platform and its components, for composing by hand. */
export { dockerPlatform, replicaAlias, type DockerRegionData, type DockerRegionUnit, type DockerTransforms } from "./platform";
export { AppReplicas, type AppReplicasArgs, REPLICA_STOP_TIMEOUT_SECONDS } from "./app";
export { Balancer, type BalancerArgs, balancerConfig, DOCKER_DNS, HAPROXY_CONFIG_PATH, HAPROXY_CONTAINER_PORT, HAPROXY_STATS_PORT, REPLICA_SERVER_PREFIX } from "./balancer";
export { DataService, type DataServiceArgs } from "./data";
export { dockerLabels, type DockerLabel, ROLE_LABEL, roleFromLabels } from "./labels";
export { RolloutGate, type RolloutGateArgs, DEFAULT_GATE_POLL_SECONDS } from "./rolloutGate";
export { type GateReplica, type HaproxyServerStat, parseHaproxyStats, waitForReplicasUp } from "./rolloutGateProvider";
