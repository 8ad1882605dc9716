import * as assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { diffPlans } from "../../tools/plan/diff";
import { renderMermaid } from "../../tools/plan/diagram";
import type { Plan } from "../../tools/plan/inventory";
import { type StackPlan, planStack } from "../../tools/plan/run";
import { renderSummary } from "../../tools/plan/summary";

/** A copy of a plan with one resource's inputs edited. */
function edited(plan: Plan, name: string, edit: (inputs: Record<string, unknown>) => void): Plan {
    const copy = structuredClone(plan);
    const target = copy.resources.find((r) => r.name === name) ?? assert.fail(`no ${name}`);
    edit(target.inputs as Record<string, unknown>);
    return copy;
}

describe("plan of the Kubernetes stacks", () => {
    let k8s: StackPlan;
    let existing: StackPlan;
    before(async () => {
        k8s = await planStack("k8s");
        existing = await planStack("k8s-existing");
    });

    it("prices the node pool at its minimum with the maximum shown, the HA control plane, the Service's load balancer and the data", () => {
        assert.deepEqual(
            k8s.plan.cost.lines.map((l) => [l.name, l.item, l.monthlyUsd]),
            [
                ["hits-k8s-app-service", "regional load balancer x2 (from the Service)", 24],
                ["hits-k8s-cache-cluster", "valkey db-s-1vcpu-1gb x1", 15],
                ["hits-k8s-cluster-doks", "s-2vcpu-4gb x3 (autoscaling minimum, up to 6, $144.00 at 6)", 72],
                ["hits-k8s-cluster-doks", "HA control plane", 40],
                ["hits-k8s-pg-cluster", "pg db-s-1vcpu-2gb x2", 60.9],
            ],
        );
        assert.deepEqual(k8s.plan.cost.unpriced, []);
        assert.deepEqual(
            existing.plan.cost.lines.map((l) => [l.name, l.item, l.monthlyUsd]),
            [
                ["hits-existing-haproxy-service", "regional load balancer x1 (from the Service)", 12],
                ["hits-existing-pg-statefulset", "20 GiB volume (claim)", 2],
                ["hits-existing-valkey-statefulset", "20 GiB volume (claim)", 2],
            ],
        );
    });

    it("summarises the cluster, node pool, Deployment with its HPA range, Service and data", () => {
        const text = renderSummary("k8s", k8s.spec, k8s.plan.resources, k8s.plan.cost, k8s.plan.warnings);
        for (const line of [
            "region k8s (nyc3)",
            "  cluster        DOKS 1.34.x, HA control plane, auto-upgrade sunday 04:00 UTC, surge upgrades, pods 10.244.0.0/16, services 10.245.0.0/16",
            "  node pool      3-6 x s-2vcpu-4gb (cluster autoscaler)",
            "  deployment     hits in namespace hits: HPA 3-12 pods at 60% CPU, 0.5 CPU / 512 MB each, rolling (maxSurge 25%, maxUnavailable 0, min ready 10 s)",
            "  load balancer  Service type LoadBalancer (regional, round robin), 2 size units, https k8s.api.example.com (http redirects), sticky cookie horizon",
            "  postgres       managed pg 16, db-s-1vcpu-2gb x 2 nodes, protected, firewall trusts the cluster",
        ]) {
            assert.ok(text.split("\n").includes(line), `missing ${JSON.stringify(line)} in\n${text}`);
        }
        const other = renderSummary("k8s-existing", existing.spec, existing.plan.resources, existing.plan.cost, existing.plan.warnings);
        assert.match(other, /^ {2}load balancer {2}Service type LoadBalancer -> in-cluster HAProxy \(least_connections, DNS discovery\)/m);
        assert.match(other, /^ {2}postgres {7}pg StatefulSet with a 20 GiB volume$/m);
    });

    it("draws internet → Service load balancer → (HAProxy →) Deployment → data, the Deployment on its cluster", () => {
        const edges = (mermaid: string) => mermaid.split("\n").map((l) => l.trim()).filter((l) => l.includes("->"));
        const doks = renderMermaid(k8s.plan.resources);
        assert.match(doks, /r0_lb0\["Load balancer \(Service\) · 2 nodes · check HTTP \/health"\]/);
        assert.match(doks, /r0_k8s0\["Kubernetes · 3-6 x s-2vcpu-4gb · HA"\]/);
        assert.match(doks, /r0_deploy0\["Deployment hits · HPA 3-12 pods"\]/);
        assert.deepEqual(edges(doks), [
            "internet --> r0_lb0",
            "r0_lb0 --> r0_deploy0",
            "r0_deploy0 --> r0_pg0",
            "r0_deploy0 --> r0_cache0",
            "r0_deploy0 -.-> r0_k8s0",
        ]);
        const byo = renderMermaid(existing.plan.resources);
        assert.match(byo, /r0_haproxy\["HAProxy \(Deployment\) · 2 pods"\]/);
        assert.match(byo, /r0_pg0\[\("Postgres \(StatefulSet\) · 20 GiB volume"\)\]/);
        assert.deepEqual(edges(byo).slice(0, 3), ["internet --> r0_lb0", "r0_lb0 --> r0_haproxy", "r0_haproxy --> r0_deploy0"]);
    });

    it("warns that resizing a StatefulSet's volume claim replaces it, and not for a new image", () => {
        const grown = edited(existing.plan, "hits-existing-pg-statefulset", (inputs) => {
            ((inputs.spec as { volumeClaimTemplates: { spec: { resources: { requests: { storage: string } } } }[] }).volumeClaimTemplates[0].spec.resources.requests.storage = "40Gi");
        });
        const warnings = diffPlans(existing.plan, grown).warnings;
        assert.deepEqual(
            warnings.map((w) => [w.risk, w.name, w.reason]),
            [
                [
                    "replaced",
                    "hits-existing-pg-statefulset",
                    "changing `spec.volumeClaimTemplates[0].spec.resources.requests.storage` replaces it, and what it stores does not move to the new one",
                ],
            ],
        );
        const newImage = edited(existing.plan, "hits-existing-pg-statefulset", (inputs) => {
            ((inputs.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0].image = "postgres:17");
        });
        assert.deepEqual(diffPlans(existing.plan, newImage).warnings, []);
    });
});
