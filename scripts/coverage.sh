#!/usr/bin/env bash
# Merges the Cobertura files coverlet wrote under RESULTS (default artifacts/test-results) with ReportGenerator
# (a local dotnet tool, .config/dotnet-tools.json), prints line and branch coverage per assembly, writes the HTML
# report to artifacts/coverage/index.html, and enforces scripts/coverage-thresholds.tsv (COVERAGE_GATE=0: report only).
set -euo pipefail
cd "$(dirname "$0")/.."

results=${1:-artifacts/test-results}
out=artifacts/coverage
thresholds=scripts/coverage-thresholds.tsv
# coverlet writes <results>/<run id>/coverage.cobertura.xml; the TRX logger copies it under <name>/In/ (skipped).
mapfile -t reports < <(find "$results" -name coverage.cobertura.xml -not -path '*/In/*' | sort)
[ ${#reports[@]} -gt 0 ] || { echo "coverage: no coverage.cobertura.xml under $results (was dotnet test run with --collect \"XPlat Code Coverage\"?)" >&2; exit 1; }

dotnet tool restore >/dev/null
rm -rf "$out"
joined=$(IFS=';'; echo "${reports[*]}")
# Product assemblies only; tools/ (the Lambda emulator) is shown but not gated.
dotnet tool run reportgenerator "-reports:$joined" "-targetdir:$out" \
  "-reporttypes:Html;JsonSummary;Cobertura;MarkdownSummaryGithub;TextSummary" \
  "-assemblyfilters:+Users.*;-*.Tests;-*Bench*" "-title:Users API" "-verbosity:Warning" >/dev/null

summary="$out/Summary.json"
echo "coverage (merged from ${#reports[@]} coverage files; HTML: $out/index.html)"
jq -r '.coverage.assemblies[] | [.name, (.coverage // 0), (.branchcoverage // 0), .coveredlines, .coverablelines] | @tsv' "$summary" |
  awk -F'\t' 'BEGIN { printf "  %-28s %7s %7s %13s\n", "assembly", "line %", "branch %", "lines" }
              { printf "  %-28s %7.1f %7.1f %6d/%-6d\n", $1, $2, $3, $4, $5 }'
jq -r '.summary | "  total: line \(.linecoverage)%, branch \(.branchcoverage)%"' "$summary"

[ "${COVERAGE_GATE:-1}" != 0 ] || { echo "coverage gate: skipped (COVERAGE_GATE=0)"; exit 0; }
failed=0
while IFS=$'\t' read -r assembly min_line min_branch; do
  [[ -z $assembly || $assembly == \#* ]] && continue
  read -r line branch < <(jq -r --arg a "$assembly" '.coverage.assemblies[] | select(.name == $a) | "\(.coverage // 0) \(.branchcoverage // 0)"' "$summary") || true
  if [ -z "${line:-}" ]; then
    echo "coverage gate: FAIL $assembly is not in the report (renamed? update $thresholds)"; failed=1; continue
  fi
  if awk -v v="$line" -v m="$min_line" -v b="$branch" -v n="$min_branch" 'BEGIN { exit !(v >= m && b >= n) }'; then
    echo "coverage gate: ok   $assembly line $line% >= $min_line%, branch $branch% >= $min_branch%"
  else
    echo "coverage gate: FAIL $assembly line $line% (min $min_line%), branch $branch% (min $min_branch%)"; failed=1
  fi
  line="" branch=""
done <"$thresholds"
# Product assemblies without a threshold are reported above; name them so they get one.
for project in src/*/*.csproj; do
  name=$(basename "$project" .csproj)
  grep -q "^$name"$'\t' "$thresholds" || echo "coverage gate: note $name (src/) has no threshold in $thresholds"
done
[ $failed -eq 0 ] || { echo "coverage gate: failed (see $out/index.html for what is uncovered)" >&2; exit 1; }
