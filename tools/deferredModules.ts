import { Module } from "node:module";

/**
 * Modules a plan's dependencies load eagerly but a plan never uses, deferred until first use.
 *
 * When @pulumi/pulumi loads, its runtime also loads two modules that only serializing a function
 * uses: TypeScript (node_modules/typescript, 9 MB of source), which Pulumi parses the function
 * with, and `runtime/closure/codePaths` with npm's Arborist, which finds the packages a serialized
 * function needs. A plan serializes nothing (`serializeDynamicProviders: false`), yet loading
 * these two takes a third of a second and about 25 MB of heap, and under tsx about 30 MB more
 * that its module loader keeps after scanning TypeScript's source: 165 MB resident instead of
 * 75 MB once @pulumi/pulumi and @pulumi/digitalocean have loaded.
 *
 * zod loads its error messages in every language it ships (64 modules, `zod/v4/locales`) to
 * offer them as `z.locales`; it configures English from its own module, and horizon writes its
 * own messages, so the others wait until something reads `z.locales`.
 *
 * Imported before anything imports @pulumi/pulumi or zod, this module puts a stand-in for each in
 * the module cache that loads the real module the first time it is used, so a run that serializes
 * functions or reads `z.locales` behaves as before. Imported later, it changes nothing.
 */

/** What `runtime/closure/codePaths` exports: functions, which Pulumi's runtime copies when it loads. */
export const CODE_PATHS_EXPORTS = ["computeCodePaths", "findWorkspaceRoot"] as const;

/** Caches `standIn(load)` as the module `file`, where `load` loads the real module once. */
function deferModule(file: string, standIn: (load: () => Record<string, unknown>) => object): void {
    if (require.cache[file] !== undefined) {
        return;
    }
    let real: Record<string, unknown> | undefined;
    const load = (): Record<string, unknown> => {
        if (real === undefined) {
            delete require.cache[file];
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module the stand-in took the place of, now that it is needed
            real = require(file) as Record<string, unknown>;
        }
        return real;
    };
    const entry = new Module(file, module);
    entry.filename = file;
    entry.loaded = true;
    entry.exports = standIn(load);
    require.cache[file] = entry;
}

// Pulumi reads TypeScript's exports only while it parses a function.
deferModule(
    require.resolve("@pulumi/pulumi/typescript-shim"),
    (load) =>
        new Proxy(
            {},
            {
                get: (_target, key) => Reflect.get(load(), key),
                has: (_target, key) => Reflect.has(load(), key),
            },
        ),
);

deferModule(require.resolve("@pulumi/pulumi/runtime/closure/codePaths"), (load) =>
    Object.fromEntries(CODE_PATHS_EXPORTS.map((name) => [name, (...args: unknown[]) => (load()[name] as (...args: unknown[]) => unknown)(...args)])),
);

// zod's classic entry re-exports the locales as `locales` (through __importStar, which passes an
// ES module through as it is) and reads nothing from them itself.
deferModule(
    require.resolve("zod/v4/locales"),
    (load) =>
        new Proxy(
            {},
            {
                get: (_target, key) => (key === "__esModule" ? true : Reflect.get(load(), key)),
                has: (_target, key) => key === "__esModule" || Reflect.has(load(), key),
                ownKeys: () => Reflect.ownKeys(load()),
                getOwnPropertyDescriptor: (_target, key) => {
                    const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
                    return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
                },
            },
        ),
);
