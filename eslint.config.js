// ESLint flat config (docs/decisions/041). CommonJS because package.json has no "type".
// Formatting is Prettier's job: eslint-config-prettier comes last and turns off every rule
// that would argue with it.
const js = require("@eslint/js");
const tseslint = require("typescript-eslint");
const reactHooks = require("eslint-plugin-react-hooks");
const jsxA11y = require("eslint-plugin-jsx-a11y");
const prettier = require("eslint-config-prettier/flat");
const globals = require("globals");

module.exports = tseslint.config(
  {
    ignores: [
      "build/",
      "public/build/",
      "app/generated/",
      ".data/",
      ".data-*/",
      ".cache/",
      "coverage/",
      "test/artifacts/",
      "node_modules/",
    ],
  },
  js.configs.recommended,
  // Not the type-aware presets: they need a TypeScript program per run and make the
  // whole-tree lint several times slower; `tsc --noEmit` in `npm test` already checks types.
  tseslint.configs.recommended,
  {
    // Server, tests, benchmarks, the database and search folders, and the root configs run on Node.
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // An empty catch is how this code says "best effort, the failure is not ours to report"
      // (closing a socket that is already gone, removing a file that may not exist).
      "no-empty": ["error", { allowEmptyCatch: true }],
      // The control characters in this code's patterns are the point: titles, search queries,
      // URLs, XML and Meilisearch filters strip or refuse NUL and the C0 range on purpose.
      "no-control-regex": "off",
      // `_name` marks a parameter or destructured field that is there for its position or to
      // leave it out of a rest object; the name says it is unused on purpose.
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    // Code that also runs in the browser: components, route modules, the client entry and
    // the utilities they share. Route modules hold their loaders too, so Node stays.
    files: ["app/**/*.tsx", "app/utils/**/*.ts", "app/components/**/*.ts"],
    ignores: ["app/**/*.server.ts", "app/**/*.server.tsx"],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
  {
    files: ["app/entry.client.tsx"],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ["app/**/*.tsx"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
    },
  },
  {
    files: ["app/**/*.tsx"],
    ...jsxA11y.flatConfigs.recommended,
  },
  {
    // The Stripe and Meilisearch fakes read JSON and form bodies field by field, as loosely as
    // the real services do; typing each field would copy both vendors' APIs into the tests.
    files: ["test/mocks/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // CommonJS files (remix.config.js and this one).
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  prettier,
);
