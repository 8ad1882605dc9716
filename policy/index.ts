import * as path from "node:path";
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policyPackArgs, redactSecretsBeforePolicies } from "./pack";
import { loadWaivers } from "./waivers";

// `pulumi preview --policy-pack policy` runs this file in policy/ (PolicyPack reads the version
// from ./package.json) and talks to the analyzer it serves.
redactSecretsBeforePolicies();
new PolicyPack(PACK_NAME, policyPackArgs(loadWaivers(path.join(__dirname, "waivers.yaml"))));
