/** Resource options that decide what `pulumi up` does to a resource beyond its inputs. */
export interface PlannedOptions {
    readonly protect: boolean;
    /** Names of the resources this one waits for. */
    readonly dependsOn: string[];
    readonly deleteBeforeReplace: boolean;
    readonly retainOnDelete: boolean;
    readonly ignoreChanges: string[];
}

/** One resource the program registers, as the mock runtime saw it. */
export interface PlannedResource {
    /** Pulumi type token, e.g. `digitalocean:index/droplet:Droplet` or `horizon:digitalocean:AppFleet`. */
    readonly type: string;
    /** Logical name, e.g. `hits-us-east-droplet-0`. */
    readonly name: string;
    /** Logical name of the parent resource; absent for the root component. */
    readonly parent?: string;
    /** Inputs with every secret value replaced by the string `"[secret]"`. */
    readonly inputs: Record<string, unknown>;
    /**
     * What a secret input is made of, minus its secrets (a droplet's user data: image, env
     * keys, container flags), so a diff can say why the secret changed. @default - none
     */
    readonly explain?: Record<string, unknown>;
    readonly options: PlannedOptions;
}

/** Monthly cost of one resource. */
export interface CostLine {
    readonly type: string;
    readonly name: string;
    /** What was priced, e.g. `s-1vcpu-2gb` or `db-s-1vcpu-2gb x2`. */
    readonly item: string;
    readonly monthlyUsd: number;
}

export interface CostReport {
    readonly currency: "USD";
    /** The date of the price table used. */
    readonly pricesAsOf: string;
    readonly lines: CostLine[];
    readonly monthlyUsd: number;
    /** Resources that cost money but whose size is not in the price table. */
    readonly unpriced: string[];
}

/** What `npm run plan -- --json` prints. */
export interface Plan {
    readonly stack: string;
    readonly resources: PlannedResource[];
    readonly cost: CostReport;
    readonly warnings: string[];
}
