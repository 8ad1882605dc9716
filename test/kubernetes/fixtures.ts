import type { KubernetesSpecInput } from "../../components/core/spec";
import type { WebServiceOptions } from "../../components/webService";
import { find, type MockRun, type RecordedResource, runProgram } from "../helpers/mocks";

/** Type tokens of what the Kubernetes platform registers. */
export const K = {
    cluster: "horizon:kubernetes:Cluster",
    app: "horizon:kubernetes:KubernetesApp",
    haproxy: "horizon:kubernetes:InClusterHaproxy",
    dataService: "horizon:kubernetes:DataService",
    doks: "digitalocean:index/kubernetesCluster:KubernetesCluster",
    provider: "pulumi:providers:kubernetes",
    namespace: "kubernetes:core/v1:Namespace",
    secret: "kubernetes:core/v1:Secret",
    configMap: "kubernetes:core/v1:ConfigMap",
    service: "kubernetes:core/v1:Service",
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    databaseFirewall: "digitalocean:index/databaseFirewall:DatabaseFirewall",
} as const;

export const APP = { name: "hits", image: "ghcr.io/acme/hits:1.4.2" } as const;
/** A region whose VPC range is known, so config checks it against the cluster's ranges. */
export const US_EAST = { name: "us-east", region: "nyc3", replicas: 3, vpcIpRange: "10.110.0.0/20" } as const;

export type K8sSpec = Omit<KubernetesSpecInput, "platform" | "app" | "regions"> & Partial<Pick<KubernetesSpecInput, "app" | "regions">>;

/** Runs a kubernetes WebService named "hits" in stack "test" under mocks. */
export function k8sService(spec: K8sSpec = {}, opts: WebServiceOptions = {}, invokes?: Parameters<typeof runProgram>[1]): Promise<MockRun<unknown>> {
    return runProgram(
        async () => {
            const { WebService } = await import("../../components/webService");
            const web = new WebService("hits", { platform: "kubernetes", app: APP, regions: [US_EAST], ...spec } as KubernetesSpecInput, {
                stack: "test",
                ...opts,
            });
            return { urls: web.urls, loadBalancerIps: web.loadBalancerIps, outputs: web.platformOutputs };
        },
        { stack: "test", ...invokes },
    );
}

/** The inputs the provider would receive for one object, secrets unwrapped. */
export function raw(resources: readonly RecordedResource[], type: string, name: string): Json {
    return find(resources, type, name).rawInputs as Json;
}

/** Manifests reach deep into plain JSON, where typing each path would only hide the assertion. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** The app container of the app Deployment. */
export function appContainer(resources: readonly RecordedResource[], region = "us-east"): Json {
    return raw(resources, K.deployment, `hits-${region}-app-deployment`).spec.template.spec.containers[0];
}

/** The LoadBalancer Service's annotations (the app's, or HAProxy's). */
export function serviceAnnotations(resources: readonly RecordedResource[], name = "hits-us-east-app-service"): Record<string, string> {
    return raw(resources, K.service, name).metadata.annotations as Record<string, string>;
}
