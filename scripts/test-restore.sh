#!/usr/bin/env bash
# Restores cannot drift (docs/security.md, "Restores"): every project has a committed packages.lock.json, nuget.config
# maps every package to its one source, and the restores `make test`, the Lambda publishes and the image make all
# resolve exactly what the lock files name (locked mode: any other version, package or content hash fails).
# Runs before anything else restores, so a stale lock file is found before a plain restore rewrites it.
# After changing Directory.Packages.props or a project's references: `make lock-files`, then commit the lock files.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "FAIL: $*" >&2; exit 1; }

# Every project has a lock file in git (a project without one would restore whatever resolves, even under CI).
missing=()
while IFS= read -r project; do
  lock="$(dirname "$project")/packages.lock.json"
  git ls-files --error-unmatch "$lock" >/dev/null 2>&1 || missing+=("$lock")
done < <(git ls-files '*.csproj')
[ ${#missing[@]} -eq 0 ] || fail "no committed lock file: ${missing[*]} (run make lock-files and commit it)"

# The sources a machine's own NuGet.Config lists are cleared, and every package is mapped to a source of nuget.config.
python3 - nuget.config <<'PY' || fail "nuget.config must clear the machine's sources and map every package (packageSourceMapping)"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
sources = root.find("packageSources")
assert sources is not None and len(sources) and sources[0].tag == "clear", "packageSources does not start with <clear />"
keys = {s.get("key") for s in sources if s.tag == "add"}
mapped = {m.get("key"): {p.get("pattern") for p in m} for m in root.iterfind("packageSourceMapping/packageSource")}
assert keys and set(mapped) <= keys, f"mapping names sources that are not defined: {set(mapped) - keys}"
assert any("*" in patterns for patterns in mapped.values()), "no source takes every package ('*')"
PY

echo "--- locked restore of the solution"
# --force: a restore whose inputs look unchanged is skipped, and would not compare the packages with the lock's hashes.
dotnet restore Users.slnx --locked-mode --force -v quiet -nologo

# What the publishes restore: the function and the Lambda floor for each architecture, Native AOT (the image, make
# publish-native, LAMBDA_PUBLISH=aot) and trimmed self-contained (LAMBDA_PUBLISH=r2r, the default of sam build). The
# runtime packs are not part of a lock file and are not downloaded here.
for project in src/Users.Functions/Users.Functions.csproj bench/Users.LambdaFloor/Users.LambdaFloor.csproj; do
  for rid in linux-x64 linux-arm64; do
    for flags in "-p:PublishAot=true" "-p:SelfContained=true -p:PublishTrimmed=true -p:PublishReadyToRun=true"; do
      echo "--- locked restore of $project for $rid $flags"
      # shellcheck disable=SC2086 # flags is a list of properties
      dotnet restore "$project" --locked-mode -v quiet -nologo -p:RuntimeIdentifier="$rid" $flags -p:EnableRuntimePackDownload=false
    done
  done
done
echo "restore: every project locked and consistent with its lock file ($(git ls-files '*packages.lock.json' | wc -l) lock files)"
