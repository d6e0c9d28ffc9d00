// ESLint for Gemba's JavaScript: the main site's scripts (gemba/static/js/), the offline
// capture app (gemba/static/offline/), its service worker (a Jinja template) and any JS
// helpers the tests gain. CI runs `npm ci --no-audit --no-fund && npx eslint .`.

import js from "@eslint/js";
import globals from "globals";

// The service worker is rendered by Flask: `{{ version|tojson }}` and the like become JSON
// values. Each placeholder is linted as `null`, padded to its length so columns still match.
const jinja = {
  meta: { name: "jinja-placeholders" },
  preprocess: (text) => [text.replace(/\{\{[^}]*\}\}/g, (m) => "null".padEnd(m.length))],
  postprocess: (messages) => messages.flat(),
  supportsAutofix: true,
};

export default [
  {
    ignores: [
      "node_modules/",
      ".venv*/",
      "htmlcov/",
      "build/",
      "dist/",
      "instance/",
      "benchmarks/out/",
      // Vendored third-party code keeps its own style (none today; put it under vendor/).
      "**/vendor/",
    ],
  },
  js.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // `const { secret, ...rest } = x` drops a key on purpose; `_`-prefixed arguments opt out.
      "no-unused-vars": ["error", { argsIgnorePattern: "^_", ignoreRestSiblings: true }],
      eqeqeq: ["error", "always"],
      "no-var": "error",
      "prefer-const": "error",
    },
  },
  {
    // Every page loads these with <script type="module">.
    files: ["gemba/static/**/*.js"],
    languageOptions: { ecmaVersion: 2024, sourceType: "module", globals: { ...globals.browser } },
  },
  {
    files: ["gemba/templates/**/sw.js"],
    processor: jinja,
    languageOptions: { ecmaVersion: 2024, sourceType: "script", globals: { ...globals.serviceworker } },
  },
  {
    // Tooling and any JS the tests run under node.
    files: ["eslint.config.js", "tests/**/*.{js,mjs,cjs}"],
    languageOptions: { ecmaVersion: 2024, sourceType: "module", globals: { ...globals.node } },
  },
];
