#!/usr/bin/env bash
# `make test`'s docs step: every Mermaid diagram in README.md and docs/*.md is rendered by mermaid-cli on Debian's
# chromium (tools/docs-check: puppeteer.json points it at /usr/bin/chromium with --no-sandbox), so a diagram GitHub
# could not draw fails the build; the SVGs land in artifacts/docs/diagrams/.
# (The configuration table is checked by ConfigurationDocTests in the dotnet step, the served OpenAPI document and
# Swagger UI by scripts/check-served-docs.sh in the make-run step.)
set -euo pipefail
cd "$(dirname "$0")/.."
tools=tools/docs-check
mmdc=$tools/node_modules/.bin/mmdc
[ -x "$mmdc" ] || { echo "FAIL: $tools/node_modules is not installed: run scripts/ci-setup.sh" >&2; exit 1; }
[ -x /usr/bin/chromium ] || { echo "FAIL: /usr/bin/chromium is missing: run scripts/ci-setup.sh (apt chromium)" >&2; exit 1; }
out=artifacts/docs/diagrams
rm -rf "$out" && mkdir -p "$out"

failed=0 diagrams=0
for doc in README.md docs/*.md; do
  count=$(grep -c '^```mermaid' "$doc" || true)
  [ "$count" -gt 0 ] || continue
  name=$(basename "$doc" .md)
  # One browser per document: mmdc renders each ```mermaid block of a Markdown file to <name>-<n>.svg.
  if "$mmdc" -p "$tools/puppeteer.json" -q -i "$doc" -o "$out/$name.md" -e svg >"$out/$name.log" 2>&1; then
    rendered=$(find "$out" -name "$name-*.svg" | wc -l)
    if [ "$rendered" -ne "$count" ]; then
      echo "FAIL: $doc has $count mermaid blocks, $rendered rendered" >&2; failed=$((failed + 1))
    else
      echo "ok: $doc: $count diagrams rendered"
    fi
  else
    grep -vE '^\s+at ' "$out/$name.log" >&2
    echo "FAIL: a diagram in $doc does not render (mermaid-cli's message above)" >&2
    failed=$((failed + 1))
  fi
  diagrams=$((diagrams + count))
done
[ "$diagrams" -gt 0 ] || { echo "FAIL: no mermaid diagram found in README.md or docs/*.md" >&2; exit 1; }
[ "$failed" -eq 0 ] || exit 1
echo "ok: $diagrams diagrams rendered (artifacts/docs/diagrams/)"

# docs/deploy.md names only what exists: every `make <target>` a Makefile target, every `terraform … output -raw|-json
# <name>` and every output it names in backquotes an output of terraform/, every values-*.yaml and examples/ file a file.
guide=docs/deploy.md
targets=$(grep -oE '^[a-zA-Z0-9_.-]+:' Makefile | tr -d ':' | sort -u)
outputs=$(grep -ohE '^output "[a-z0-9_]+"' terraform/*.tf | cut -d'"' -f2 | sort -u)
variables=$(grep -ohE '^variable "[a-z0-9_]+"' terraform/*.tf | cut -d'"' -f2 | sort -u)
bad=0
# The guide's code: its fenced blocks and inline `…` spans (so prose such as "Terraform can make one" is not a command).
code=$(awk '/^```/ { fenced = !fenced; next } fenced { print; next } { while (match($0, /`[^`]+`/)) { print substr($0, RSTART, RLENGTH); $0 = substr($0, RSTART + RLENGTH) } }' "$guide")
while read -r target; do
  [ -z "$target" ] || grep -qx "$target" <<<"$targets" || { echo "FAIL: $guide runs 'make $target', which the Makefile does not define" >&2; bad=1; }
done < <(grep -oE '(^|[^a-z-])make [a-zA-Z][a-zA-Z0-9_.-]*' <<<"$code" | awk '{ print $NF }' | sort -u)
while read -r name; do
  [ -z "$name" ] || grep -qx "$name" <<<"$outputs" || { echo "FAIL: $guide names the Terraform output '$name', which terraform/ does not declare" >&2; bad=1; }
done < <(grep -oE "output -(raw|json) [a-z0-9_]+|output \`[a-z0-9_]+\`" "$guide" | tr -d '`' | awk '{ print $NF }' | sort -u)
while read -r name; do
  [ -z "$name" ] || grep -qx "$name" <<<"$variables" || { echo "FAIL: $guide sets the Terraform variable '$name', which terraform/ does not declare" >&2; bad=1; }
done < <(grep -oE '(-var |`)[a-z][a-z0-9_]+ ?=' "$guide" | sed -E 's/^(-var |`)//; s/ ?=$//' | sort -u)
while read -r file; do
  [ -z "$file" ] || [ -f "$file" ] || { echo "FAIL: $guide names $file, which does not exist" >&2; bad=1; }
done < <(grep -oE '(helm/users-api/values-[a-z]+\.yaml|terraform/examples/[a-z0-9.-]+)' "$guide" | sort -u)
[ "$bad" -eq 0 ] || exit 1
echo "ok: $guide names only existing make targets, Terraform outputs and variables, and files"
