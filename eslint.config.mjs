import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "**/*.js", "**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "off",
      eqeqeq: ["error", "always"],
    },
  },
  {
    // core/ and render/ are plain TypeScript shared by every platform: no provider SDK, no
    // stack configuration, no platform folder. render/ is pure text, without Pulumi at all.
    files: ["components/core/**/*.ts", "components/render/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@pulumi/digitalocean", "@pulumi/docker", "@pulumi/kubernetes", "@pulumi/random", "@pulumi/*/**"], message: "core/ and render/ import no provider SDK." },
            { group: ["**/config", "**/config/**"], message: "core/ and render/ take core types, never the stack configuration." },
            { group: ["**/digitalocean", "**/digitalocean/**", "**/docker", "**/docker/**", "**/kubernetes", "**/kubernetes/**", "**/webService"], message: "core/ and render/ sit below every platform." },
          ],
        },
      ],
    },
  },
  {
    files: ["components/render/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@pulumi/*"], message: "render/ is pure text and plain objects: no Pulumi SDK." },
            { group: ["**/config", "**/config/**"], message: "core/ and render/ take core types, never the stack configuration." },
            { group: ["**/digitalocean", "**/digitalocean/**", "**/docker", "**/docker/**", "**/kubernetes", "**/kubernetes/**", "**/webService"], message: "core/ and render/ sit below every platform." },
          ],
        },
      ],
    },
  },
  {
    // Pulumi programs end in `export = ...`; running one again per stack means require() after
    // clearing it from the module cache.
    files: ["tools/plan/run.ts", "test/examples.test.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
