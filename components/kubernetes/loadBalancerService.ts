import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { HealthCheck } from "../core/spec";
import { doServiceAnnotations, SERVICE_HTTP_PORT, SERVICE_HTTPS_PORT } from "../render/doServiceAnnotations";
import { type Transform, transformChild } from "../transform";

export interface LoadBalancerServiceArgs {
    /** The Service's (and DigitalOcean load balancer's) name. */
    readonly serviceName: string;
    readonly loadBalancerName: string;
    readonly namespace: pulumi.Input<string>;
    readonly labels: Readonly<Record<string, string>>;
    /** Pods the Service sends to. */
    readonly selector: Readonly<Record<string, string>>;
    /** Container port name (or number) traffic goes to. */
    readonly targetPort: string | number;
    /** The container port `targetPort` names, to tell whether the check needs a port of its own. */
    readonly containerPort: number;
    /** What the load balancer checks; a `port` other than `containerPort` gets its own Service port. */
    readonly healthCheck: HealthCheck;
    readonly sizeUnit: number;
    readonly stickySessions?: { readonly cookieName: string; readonly ttlSeconds: number };
    readonly https?: { readonly certificateName: pulumi.Input<string>; readonly redirectHttp: boolean };
    /** The user's extra annotations (config rejects horizon's own keys). @default {} */
    readonly extraAnnotations?: Readonly<Record<string, string>>;
    readonly transform?: Transform<k8s.core.v1.ServiceArgs>;
}

/**
 * A Service of type LoadBalancer: DigitalOcean's cloud controller manager creates a REGIONAL
 * (HTTP) load balancer for it, configured entirely by annotations (`render/doServiceAnnotations.ts`):
 * the app's health check, stickiness, TLS with a DigitalOcean certificate and the redirect,
 * size units and a stable name.
 */
export function createLoadBalancerService(name: string, args: LoadBalancerServiceArgs, parent: pulumi.Resource): k8s.core.v1.Service {
    const checkPort = args.healthCheck.port;
    const separateHealthPort = checkPort !== undefined && checkPort !== args.containerPort;
    const annotations = pulumi.output(args.https?.certificateName).apply((certificateName) => ({
        ...args.extraAnnotations,
        ...doServiceAnnotations({
            name: args.loadBalancerName,
            sizeUnit: args.sizeUnit,
            // A check on the traffic port goes through the http Service port; one on another port through its own.
            healthCheck: separateHealthPort ? args.healthCheck : { ...args.healthCheck, port: undefined },
            healthServicePort: SERVICE_HTTP_PORT,
            ...(args.stickySessions ? { stickySessions: args.stickySessions } : {}),
            ...(args.https && certificateName !== undefined ? { https: { certificateName, redirectHttp: args.https.redirectHttp } } : {}),
        }),
    }));
    const ports: k8s.types.input.core.v1.ServicePort[] = [
        { name: "http", port: SERVICE_HTTP_PORT, targetPort: args.targetPort, protocol: "TCP" },
        // TLS ends at the load balancer, which forwards plain http to the pods.
        ...(args.https ? [{ name: "https", port: SERVICE_HTTPS_PORT, targetPort: args.targetPort, protocol: "TCP" }] : []),
        ...(separateHealthPort ? [{ name: "health", port: checkPort, targetPort: checkPort, protocol: "TCP" }] : []),
    ];
    const [serviceArgs, serviceOpts] = transformChild<k8s.core.v1.ServiceArgs, pulumi.CustomResourceOptions>(
        {
            metadata: { name: args.serviceName, namespace: args.namespace, labels: { ...args.labels }, annotations },
            spec: { type: "LoadBalancer", selector: { ...args.selector }, ports, externalTrafficPolicy: "Cluster" },
        },
        { parent },
        args.transform,
    );
    return new k8s.core.v1.Service(name, serviceArgs, serviceOpts);
}

/** The load balancer's public address, once the cloud controller manager has created it. */
export function loadBalancerAddress(service: k8s.core.v1.Service): pulumi.Output<string> {
    return service.status.apply((status) => status?.loadBalancer?.ingress?.[0]?.ip ?? status?.loadBalancer?.ingress?.[0]?.hostname ?? "");
}
