#!/usr/bin/env bash
# Merges the Cobertura files coverlet wrote under RESULTS (default artifacts/test-results/dotnet, one folder per test
# project, as scripts/test-dotnet.sh leaves them) with ReportGenerator (a local dotnet tool, .config/dotnet-tools.json),
# prints line and branch coverage per assembly, writes the HTML report to artifacts/coverage/index.html, and enforces
# scripts/coverage-thresholds.tsv (COVERAGE_GATE=0: report only). The gate also fails when a test project's folder has
# no coverage file (its collector wrote nothing: the others' figures would hide it) and when an assembly of src/ has no
# threshold.
set -euo pipefail
cd "$(dirname "$0")/.."

results=${1:-artifacts/test-results/dotnet}
out=artifacts/coverage
thresholds=scripts/coverage-thresholds.tsv
# coverlet writes <results>/<project>/<run id>/coverage.cobertura.xml; the TRX logger copies it under <name>/In/ (skipped).
reports=() missing=()
for dir in "$results"/*/; do
  mapfile -t found < <(find "$dir" -name coverage.cobertura.xml -not -path '*/In/*')
  [ ${#found[@]} -eq 1 ] && reports+=("${found[0]}") || missing+=("$(basename "$dir") (${#found[@]} coverage files)")
done
[ ${#reports[@]} -gt 0 ] || { echo "coverage: no coverage.cobertura.xml under $results (was dotnet test run with --collect \"XPlat Code Coverage\"?)" >&2; exit 1; }

dotnet tool restore >/dev/null
rm -rf "$out"
joined=$(IFS=';'; echo "${reports[*]}")
# Product assemblies only; tools/ (the Lambda emulator, the result reader) are shown but not gated. The reliability
# campaign is left out: it is a program the reliability step runs, its recovery measure alone is unit-tested.
dotnet tool run reportgenerator "-reports:$joined" "-targetdir:$out" \
  "-reporttypes:Html;JsonSummary;Cobertura;MarkdownSummaryGithub;TextSummary" \
  "-assemblyfilters:+Users.*;-*.Tests;-*Bench*;-Users.Reliability" "-title:Users API" "-verbosity:Warning" >/dev/null

summary="$out/Summary.json"
echo "coverage (merged from ${#reports[@]} coverage files; HTML: $out/index.html)"
jq -r '.coverage.assemblies[] | [.name, (.coverage // 0), (.branchcoverage // 0), .coveredlines, .coverablelines] | @tsv' "$summary" |
  awk -F'\t' 'BEGIN { printf "  %-28s %7s %7s %13s\n", "assembly", "line %", "branch %", "lines" }
              { printf "  %-28s %7.1f %7.1f %6d/%-6d\n", $1, $2, $3, $4, $5 }'
jq -r '.summary | "  total: line \(.linecoverage)%, branch \(.branchcoverage)%"' "$summary"

[ "${COVERAGE_GATE:-1}" != 0 ] || { echo "coverage gate: skipped (COVERAGE_GATE=0)"; exit 0; }
failed=0
for project in "${missing[@]}"; do
  echo "coverage gate: FAIL $project: expected one report per test project (did its collector run?)"; failed=1
done
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
# Every product assembly is gated: one without a threshold fails until it gets its line.
for project in src/*/*.csproj; do
  name=$(basename "$project" .csproj)
  grep -q "^$name"$'\t' "$thresholds" || { echo "coverage gate: FAIL $name (src/) has no threshold in $thresholds"; failed=1; }
done
[ $failed -eq 0 ] || { echo "coverage gate: failed (see $out/index.html for what is uncovered)" >&2; exit 1; }
