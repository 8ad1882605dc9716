import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "**/*.js", "**/*.mjs"] },
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
    // Pulumi programs end in `export = ...`; running one again per stack means require() after
    // clearing it from the module cache.
    files: ["tools/plan/run.ts", "test/examples.test.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
