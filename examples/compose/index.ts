import * as digitalocean from "@pulumi/digitalocean";
import { healthCheckWithDefaults, WebService } from "../../components";
import { AppFleet, LoadBalancer, Network } from "../../components/digitalocean";

/**
 * Two ways to use horizon from your own Pulumi program.
 *
 * 1. The whole service from one typed spec (defaults filled in, bad input rejected with one
 *    message), with a transform that changes a detail of every droplet without forking.
 * 2. Single components wired by hand: a VPC, a load balancer and a fleet of replicas.
 */
function composeExample() {
    const service = new WebService(
        "shop",
        {
            app: { name: "shop", image: "ghcr.io/acme/hits:1.4.2", env: { LOG_LEVEL: "info" } },
            regions: [{ name: "eu", region: "ams3", replicas: 4, size: "s-1vcpu-2gb" }],
            database: { mode: "managed", size: "db-s-1vcpu-2gb" },
            cache: { mode: "managed" },
        },
        {
            transform: {
                fleet: { droplet: (args) => void (args.backups = true) },
            },
        },
    );

    const region = "fra1";
    const healthCheck = healthCheckWithDefaults({ path: "/ready" });
    const network = new Network("worker-network", { region });
    const tag = "worker-fleet";
    const lb = new LoadBalancer("worker-lb", { region, vpcUuid: network.vpcId, dropletTag: tag, targetPort: 9000, healthCheck });
    const fleet = new AppFleet("worker-fleet", {
        region,
        vpcUuid: network.vpcId,
        size: "s-1vcpu-1gb",
        replicas: 2,
        fleetTag: tag,
        container: { image: "ghcr.io/acme/worker:2.0.0", port: 9000, env: { QUEUE: "default" }, healthCheck },
        trafficSources: { loadBalancerUids: [lb.id] },
        loadBalancerId: lb.id,
    });
    const alert = new digitalocean.MonitorAlert("worker-cpu", {
        alerts: { emails: ["oncall@example.com"] },
        description: "worker CPU above 80 %",
        type: "v1/insights/droplet/cpu",
        compare: "GreaterThan",
        value: 80,
        window: "5m",
        entities: fleet.dropletIds,
    });

    return {
        shopUrls: service.urls,
        workerUrl: lb.url,
        workerIps: fleet.publicIps,
        alert: alert.uuid,
    };
}

export = composeExample();
