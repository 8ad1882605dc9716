/**
 * DigitalOcean errors during `pulumi destroy` that go away by themselves: the API releases a
 * deleted resource from its VPC, project or certificate some time after the delete call
 * returns. The pinned provider (@pulumi/digitalocean 4.80.1 bridges terraform-provider-
 * digitalocean v2.99.1) already retries each of them for a while; when its wait runs out the
 * destroy fails with the message below, and running destroy again finishes the job.
 */
export const TRANSIENT_DESTROY_ERRORS: readonly { readonly pattern: RegExp; readonly source: string }[] = [
    {
        // DELETE /v2/vpcs/<id> answers 409 while a deleted load balancer, database cluster or
        // droplet is still being released. The provider retries 403/409 for the VPC's delete
        // timeout, 2 minutes by default (digitalocean/vpc/resource_vpc.go, resourceDigitalOceanVPCDelete).
        pattern: /Can not delete VPC with members/i,
        source: "https://github.com/pulumi/pulumi-digitalocean/issues/753",
    },
    {
        // DELETE /v2/certificates/<id> answers 403 while a load balancer still references the
        // certificate. The provider retries for 15 minutes with backoff
        // (digitalocean/certificate/resource_certificate.go, certificateDeleteBlockedByLoadBalancer).
        pattern: /Make sure the certificate is not in use before deleting it|being used by one or more load balancers/i,
        source: "https://github.com/digitalocean/terraform-provider-digitalocean/pull/1534",
    },
    {
        // DELETE /v2/projects/<id> answers 412 until its resources have moved to the default
        // project; the provider retries for the delete timeout (digitalocean/project/resource_project.go).
        pattern: /cannot delete a project with resources/i,
        source: "https://github.com/digitalocean/terraform-provider-digitalocean/blob/v2.99.1/digitalocean/project/resource_project.go",
    },
    {
        // A volume detach while the droplet has another action running answers 422; the
        // provider retries for 5 minutes (digitalocean/volume/resource_volume_attachment.go).
        pattern: /Droplet already has a pending event/i,
        source: "https://github.com/digitalocean/terraform-provider-digitalocean/blob/v2.99.1/digitalocean/volume/resource_volume_attachment.go",
    },
    {
        // Rate limiting outlasting the provider's 4 HTTP retries (http_retry_max).
        pattern: /429 Too Many Requests/i,
        source: "https://docs.digitalocean.com/reference/api/digitalocean/#section/Introduction/Rate-Limit",
    },
];

/** Whether a failed destroy's output names only an error that a later attempt can get past. */
export function isTransientDestroyError(output: string): boolean {
    return TRANSIENT_DESTROY_ERRORS.some((e) => e.pattern.test(output));
}

/** How often `destroy` runs before giving up on transient errors. */
export const DESTROY_ATTEMPTS = 3;
