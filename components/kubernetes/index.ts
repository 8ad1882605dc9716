/** `horizon/kubernetes`: the Kubernetes platform and its components, for composing by hand. */
export { kubernetesPlatform, type KubernetesRegionData, type KubernetesRegionUnit, type KubernetesTransforms } from "./platform";
export { Cluster, type ClusterArgs, NODE_POOL_NAME } from "./cluster";
export { Namespace, type NamespaceArgs } from "./namespace";
export {
    KubernetesApp,
    type KubernetesAppArgs,
    type AppIngress,
    APP_CONTAINER,
    PRE_STOP_SLEEP_SECONDS,
    SHUTDOWN_SECONDS,
    SCALE_DOWN_STABILIZATION_SECONDS,
    restrictedSecurity,
} from "./app";
export { InClusterHaproxy, type InClusterHaproxyArgs, HAPROXY_POD_PORT, DEFAULT_HAPROXY_IMAGE } from "./haproxy";
export { renderDiscoveryHaproxyConfig, type HaproxyDiscovery, type DiscoveryHaproxyInput } from "./haproxyConfig";
export { DataService, type DataServiceArgs, DEFAULT_STORAGE_CLASS } from "./dataService";
export { createLoadBalancerService, type LoadBalancerServiceArgs } from "./loadBalancerService";
export { trustClusterFirewall } from "./databaseFirewall";
export { workloadLabels, ROLE_LABEL, REGION_LABEL, type KubernetesRole, type WorkloadLabels } from "./labels";
