import * as pulumi from "@pulumi/pulumi";
import { loadStackSpec, WebService } from "./components";

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
    const service = new WebService(spec.app.name, spec);
    return {
        platform: spec.platform,
        urls: service.urls,
        loadBalancerIps: service.loadBalancerIps,
        ...service.platformOutputs,
    };
}

export = main();
