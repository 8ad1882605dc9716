import * as pulumi from "@pulumi/pulumi";
import { loadStackSpec, WebService } from "./components";
import { DEPLOYABLE_PLATFORMS } from "./components/webService";

/**
 * The horizon program: reads the stack's `horizon:` configuration (stacks/Pulumi.<stack>.yaml),
 * fails with one message listing every problem before any resource exists, and builds the
 * WebService for it.
 */
function main() {
    const { spec, warnings } = loadStackSpec();
    for (const warning of warnings) {
        pulumi.log.warn(warning);
    }
    if (!DEPLOYABLE_PLATFORMS.includes(spec.platform)) {
        pulumi.log.warn(
            `platform ${spec.platform}: this version deploys ${DEPLOYABLE_PLATFORMS.join(", ")} only; nothing is created for this stack`,
        );
        return { platform: spec.platform, app: spec.app.name, regions: spec.regions.map((r) => r.name) };
    }
    const service = new WebService(spec.app.name, spec);
    return {
        platform: spec.platform,
        urls: service.urls,
        loadBalancerIps: service.loadBalancerIps,
        ...service.platformOutputs,
    };
}

export = main();
