import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dropletRole, escapeLabel, renderMermaid } from "../../tools/plan/diagram";
import { matchSnapshot } from "../helpers/snapshot";
import { regionalUnit, resource } from "./fixtures/inventory";

const DROPLET = "digitalocean:index/droplet:Droplet";

function edges(mermaid: string): string[] {
    return mermaid
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line.includes("-->"));
}

describe("renderMermaid", () => {
    it("draws a unit with an HAProxy tier: internet → LB → HAProxy → replicas → Postgres and Valkey", () => {
        const mermaid = renderMermaid(regionalUnit({ haproxy: { size: "s-1vcpu-1gb", nodes: 2 } }));
        matchSnapshot("plan/diagram-haproxy.mmd", mermaid);
        assert.deepEqual(edges(mermaid), ["internet --> r0_lb0", "r0_lb0 --> r0_haproxy", "r0_haproxy --> r0_app", "r0_app --> r0_pg0", "r0_app --> r0_cache0"]);
    });

    it("sends the load balancer straight to the replicas when there is no HAProxy tier", () => {
        const mermaid = renderMermaid(regionalUnit());
        assert.deepEqual(edges(mermaid).slice(0, 2), ["internet --> r0_lb0", "r0_lb0 --> r0_app"]);
        assert.doesNotMatch(mermaid, /HAProxy/);
    });

    it("draws one subgraph per region behind a global load balancer, with the data droplet and its volume in container mode", () => {
        const mermaid = renderMermaid([
            ...regionalUnit({ unit: "us-east", region: "nyc3", database: "container", volumeSizeGb: 40 }),
            ...regionalUnit({ unit: "eu-west", region: "ams3", replicas: 2 }),
            resource("digitalocean:index/loadBalancer:LoadBalancer", "hits-global-lb", { type: "GLOBAL" }),
        ]);
        matchSnapshot("plan/diagram-geo.mmd", mermaid);
        assert.match(mermaid, /subgraph r0\["nyc3"\]/);
        assert.match(mermaid, /subgraph r1\["ams3"\]/);
        assert.match(mermaid, /r0_data\[\("Data droplet \(containers\) · 1 x s-1vcpu-2gb · 40 GiB volume"\)\]/);
        assert.deepEqual(
            edges(mermaid).filter((e) => e.startsWith("internet") || e.startsWith("global")),
            ["internet --> global_lb0", "global_lb0 --> r0_lb0", "global_lb0 --> r1_lb0"],
        );
    });

    it("keeps a thousand replicas to one node", () => {
        const small = renderMermaid(regionalUnit({ replicas: 3 }));
        const large = renderMermaid(regionalUnit({ replicas: 1000 }));
        assert.match(large, /r0_app\["App replicas · 1000 x s-1vcpu-2gb"\]/);
        assert.equal(large.split("\n").length, small.split("\n").length);
    });

    it("counts replicas per size while a resize is half done", () => {
        const unit = regionalUnit({ replicas: 3 }).map((r) => (r.name === "hits-us-east-fleet-droplet-2" ? { ...r, inputs: { ...r.inputs, size: "s-2vcpu-4gb" } } : r));
        assert.match(renderMermaid(unit), /"App replicas · 2 x s-1vcpu-2gb \+ 1 x s-2vcpu-4gb"/);
    });

    it("uses mermaid-safe ids and escapes labels, whatever the inputs hold", () => {
        const mermaid = renderMermaid([
            resource(DROPLET, "web-droplet-0", { region: 'ny"c<3>#end', size: 'big "one"' }),
            resource("digitalocean:index/databaseCluster:DatabaseCluster", "db", { region: 'ny"c<3>#end', engine: "pg", size: "db-s-1vcpu-1gb" }),
        ]);
        assert.match(mermaid, /subgraph r0\["ny#quot;c#lt;3#gt;#35;end"\]/);
        assert.match(mermaid, /r0_app\["App replicas · 1 x big #quot;one#quot;"\]/);
        for (const line of mermaid.split("\n").slice(1)) {
            const statement = line.trim();
            if (statement === "" || statement === "end") {
                continue;
            }
            // Every statement starts with a plain id, and a quoted label holds no raw quote.
            assert.match(statement, /^(subgraph )?[A-Za-z0-9_]+(\[|\(|\s-->|$)/, statement);
            const quoted = /"(.*)"/.exec(statement);
            if (quoted !== null) {
                assert.doesNotMatch(quoted[1], /["<>]/, statement);
            }
        }
    });

    it("draws a Kubernetes cluster as the compute tier when the app runs on DOKS", () => {
        const mermaid = renderMermaid([
            resource("digitalocean:index/kubernetesCluster:KubernetesCluster", "hits-doks", { region: "fra1", ha: true, nodePool: { name: "default", size: "s-2vcpu-4gb", nodeCount: 3 } }),
            resource("digitalocean:index/databaseCluster:DatabaseCluster", "hits-pg", { region: "fra1", engine: "pg", version: "16", size: "db-s-1vcpu-2gb", nodeCount: 1 }),
        ]);
        assert.match(mermaid, /r0_k8s0\["Kubernetes · 3 x s-2vcpu-4gb · HA"\]/);
        assert.deepEqual(edges(mermaid), ["internet --> r0_k8s0", "r0_k8s0 --> r0_pg0"]);
    });

    it("renders values the cloud computes later without failing", () => {
        const mermaid = renderMermaid([
            resource(DROPLET, "web-droplet-0", { region: undefined, size: undefined }),
            resource("digitalocean:index/loadBalancer:LoadBalancer", "web-lb", { region: undefined, sizeUnit: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }),
        ]);
        assert.match(mermaid, /subgraph r0\["region unknown"\]/);
        assert.match(mermaid, /App replicas · 1 x size unknown/);
        assert.match(mermaid, /Load balancer · \? nodes/);
    });
});

describe("dropletRole", () => {
    it("reads the role from the droplet's horizon:role tag, never from its name", () => {
        const droplet = (tags: unknown) => ({ inputs: { name: "any-name", tags } });
        assert.equal(dropletRole(droplet(["horizon:app:hits", "horizon:role:app"])), "app");
        assert.equal(dropletRole(droplet(["horizon:role:haproxy", "hits-test-us-east-fleet-haproxy"])), "haproxy");
        assert.equal(dropletRole(droplet(["horizon:role:data"])), "data");
        assert.equal(dropletRole(droplet(["hits-us-east-data"])), "app", "a name-like tag is not a role");
        assert.equal(dropletRole(droplet("[unknown]")), "app");
    });
});

describe("escapeLabel", () => {
    it("escapes # before the entity codes that use it", () => {
        assert.equal(escapeLabel('a#"b'), "a#35;#quot;b");
    });
});

describe("renderMermaid across regions", () => {
    it("draws each region's read replica beside its replicas, and a dotted replication edge from the one primary", () => {
        const mermaid = renderMermaid([
            ...regionalUnit({ unit: "us-east", region: "nyc3" }),
            ...regionalUnit({ unit: "eu-west", region: "ams3" }).filter((r) => !(r.type === "digitalocean:index/databaseCluster:DatabaseCluster" && r.inputs.engine === "pg")),
            resource("digitalocean:index/databaseReplica:DatabaseReplica", "hits-eu-west-pg-read-replica", { region: "ams3", size: "db-s-1vcpu-2gb" }),
            resource("digitalocean:index/loadBalancer:LoadBalancer", "hits-glb-balancer", { type: "GLOBAL" }),
        ]);

        assert.match(mermaid, /r1_replica0\[\("Postgres read replica · db-s-1vcpu-2gb"\)\]/);
        assert.ok(edges(mermaid).includes("r1_app --> r1_replica0"), mermaid);
        assert.match(mermaid, /^ {4}r0_pg0 -\.-> r1_replica0$/m);
        assert.deepEqual(edges(mermaid).filter((e) => e.startsWith("global")), ["global_lb0 --> r0_lb0", "global_lb0 --> r1_lb0"]);
    });
});

describe("renderMermaid on the Docker platform", () => {
    it("draws the Docker host: HAProxy in front, the replicas counted, Postgres and Valkey behind, by role label", async () => {
        const { planStack } = await import("../../tools/plan/run");
        const diagram = renderMermaid((await planStack("local")).plan.resources);
        assert.match(diagram, /subgraph docker\["Docker host"\]/);
        assert.match(diagram, /docker_app\["App replicas · 3 containers"\]/);
        for (const edge of ["internet --> docker_lb", "docker_lb --> docker_app", "docker_app --> docker_pg", "docker_app --> docker_cache"]) {
            assert.ok(diagram.includes(edge), edge);
        }
    });
});
