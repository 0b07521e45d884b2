# Users API — every developer and CI entry point. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

DOTNET ?= dotnet
CONFIGURATION ?= Release
SOLUTION := Users.slnx

.PHONY: help build test test-dotnet test-observability lock-files format format-check run seed sweep test-run clean smoke

help: ## List the targets
	@grep -hE '^[a-zA-Z0-9_.-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-22s %s\n", $$1, $$2}'

build: ## Build the solution (warnings are errors)
	$(DOTNET) build $(SOLUTION) -c $(CONFIGURATION)

test: ## Build and run every test (unit, integration against moto_server, ...)
	bash scripts/test.sh

test-dotnet: ## Run the .NET test projects only
	bash scripts/test-dotnet.sh

test-observability: ## promtool rule tests, then a real Prometheus scraping the service: every rule and dashboard query
	bash scripts/test-observability.sh

lock-files: ## Re-resolve every packages.lock.json (after changing Directory.Packages.props or a project's references), then commit them
	$(DOTNET) restore $(SOLUTION) --force-evaluate -p:RestoreLockedMode=false

format: ## Apply dotnet format
	$(DOTNET) format $(SOLUTION)

format-check: ## Fail when dotnet format would change anything
	$(DOTNET) format $(SOLUTION) --verify-no-changes

smoke: ## Non-destructive contract checks against a deployment: make smoke URL=https://… [SMOKE_SCOPE=api] [SMOKE_ALLOW_WRITES=1]
	bash scripts/smoke.sh "$(URL)"

run: ## Start a local AWS emulator (unless AWS_ENDPOINT_URL is set), create the table and bucket, run the API on :8080
	bash scripts/run-local.sh

seed: ## Register COUNT (20) test users through POST /user of the API at URL (make run's http://127.0.0.1:8080), waiting out 429s
	bash scripts/seed.sh "$(or $(URL),http://127.0.0.1:8080)" "$(or $(COUNT),20)"

sweep: ## One run of the avatar sweep against `make run`'s local AWS (or AWS_ENDPOINT_URL): removes the avatars no user points to; SWEEP_DRY_RUN=1 only lists them
	SWEEP_DRY_RUN="$(SWEEP_DRY_RUN)" bash scripts/sweep-local.sh

test-run: ## `make run` twice on free ports as the README uses it: answers, the README upload, provisioning, Ctrl-C (part of `make test`)
	bash scripts/test-run-local.sh

clean: ## Remove build output
	$(DOTNET) clean $(SOLUTION) >/dev/null; rm -rf artifacts .local

# --- Image and chart ---
IMAGE ?= users-api:local
CHART := helm/users-api

.PHONY: image test-image helm-template minikube

image: ## Build the container image users-api:local, or IMAGE=name:tag (docker if an engine answers, else podman with ../shared's .NET image stand-ins)
	IMAGE=$(IMAGE) bash scripts/test-image.sh --build-only

test-image: ## Build the image, then test/Users.Image.Tests against it: image checks, the API contract suite, credentials (part of `make test`)
	IMAGE=$(IMAGE) bash scripts/test-image.sh

helm-template: ## Render the Helm chart with its defaults and each values-*.yaml into artifacts/helm/ with the real Helm (.local/bin/helm from scripts/ci-setup.sh, else helm on PATH)
	@set -euo pipefail; mkdir -p artifacts/helm; \
	helm=$$(command -v .local/bin/helm || command -v helm) || { echo "helm not found: run scripts/ci-setup.sh (installs Helm 3.17 into .local/bin)" >&2; exit 1; }; \
	for values in "" $(CHART)/values-*.yaml; do \
	  name=$$(basename "$${values:-values-default.yaml}" .yaml); \
	  "$$helm" template users $(CHART) --namespace users --kube-version v1.31.0 $${values:+-f "$$values"} > "artifacts/helm/$$name.yaml"; \
	  echo "$$name: $$(grep -c '^kind:' "artifacts/helm/$$name.yaml") objects -> artifacts/helm/$$name.yaml"; \
	done

minikube: ## Run the API on minikube: LocalStack, Terraform, image load, helm install, helm test (docs/container-and-helm.md)
	bash scripts/minikube.sh

# --- Lambda (SAM) ---
# `sam build` copies CodeUri (the repository root) to a scratch folder and runs `make build-<LogicalId>` there with
# ARTIFACTS_DIR set: these targets use only what is inside the repository and leave $(ARTIFACTS_DIR)/bootstrap.
#   LAMBDA_RID=linux-x64|linux-arm64 (match the template's Architecture parameter)
#   LAMBDA_PUBLISH=r2r (self-contained, trimmed, composite ReadyToRun, default) | aot (Native AOT) | jit (self-contained, no ReadyToRun)
LAMBDA_PROJECT ?= src/Users.Functions/Users.Functions.csproj
LAMBDA_RID ?= linux-x64
LAMBDA_PUBLISH ?= r2r
ARTIFACTS_DIR ?= $(CURDIR)/artifacts/lambda
# Composite ReadyToRun (the framework and the app compiled together) starts ~30% faster than per-assembly R2R; trimmed
# first (the code is trim-safe: it is the Native AOT build's), the package is 64 MB instead of 144, the function's peak
# RSS 76 MB instead of 109, and the cold start ≈ 10% shorter (docs/lambda.md).
LAMBDA_PUBLISH_FLAGS_r2r := --self-contained true -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -p:PublishTrimmed=true
LAMBDA_PUBLISH_FLAGS_jit := --self-contained true -p:PublishReadyToRun=false
# AOT analysis warnings stay warnings for this publish only (the build proper keeps warnings as errors).
LAMBDA_PUBLISH_FLAGS_aot := -p:PublishAot=true -p:StripSymbols=true $(if $(shell command -v clang 2>/dev/null),,-p:CppCompilerAndLinker=gcc)

.PHONY: build-UsersApiFunction build-UsersSweepFunction lambda-publish lambda-local lambda-bench bench bench-sweep bench-charts bench-layers bench-guard native-rid bench-saturation bench-list bench-read-units bench-lambda-list bench-micro bench-profile publish-native

build-UsersApiFunction: lambda-publish ## sam build target: publish the function as $(ARTIFACTS_DIR)/bootstrap

# The avatar sweep function is the same artifact (its Handler, `sweep`, selects the sweep): SAM builds every makefile
# function on its own, so it publishes the same bootstrap again.
build-UsersSweepFunction: lambda-publish ## sam build target of the sweep function: the same bootstrap

# Start-up over peak throughput: no tiered PGO instrumentation (the GC settings, one non-concurrent heap, are the project's own).
lambda-publish: ## Publish the Lambda function (LAMBDA_PUBLISH=r2r|aot|jit, LAMBDA_RID) into ARTIFACTS_DIR as bootstrap
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set" >&2; exit 1; }
	$(DOTNET) publish $(LAMBDA_PROJECT) -c Release -r $(LAMBDA_RID) $(LAMBDA_PUBLISH_FLAGS_$(LAMBDA_PUBLISH)) \
		-p:TieredPGO=false \
		-p:DebugType=None -p:DebugSymbols=false -p:IntermediateOutputPath=obj/lambda/$(LAMBDA_RID)-$(LAMBDA_PUBLISH)/ \
		-p:OutputPath=bin/lambda/$(LAMBDA_RID)-$(LAMBDA_PUBLISH)/ -o "$(ARTIFACTS_DIR)"
	mv -f "$(ARTIFACTS_DIR)/$(basename $(notdir $(LAMBDA_PROJECT)))" "$(ARTIFACTS_DIR)/bootstrap"
	rm -f "$(ARTIFACTS_DIR)"/*.dbg "$(ARTIFACTS_DIR)"/*.pdb
	chmod +x "$(ARTIFACTS_DIR)/bootstrap"

lambda-local: ## Serve the API through the Lambda path (emulated Runtime API + API Gateway) on http://127.0.0.1:3000 (LAMBDA_FRONT=rest: REST API, /prod)
	bash scripts/lambda-local.sh

.PHONY: lambda-testtool
lambda-testtool: ## The same through AWS's Lambda Test Tool v2 (dotnet lambda-test-tool) on http://127.0.0.1:3000 (LAMBDA_FRONT=rest: Rest mode); docs/lambda.md
	bash scripts/lambda-testtool.sh

lambda-bench: ## Cold start (JIT, ReadyToRun, Native AOT), warm latency and peak RSS through the Lambda emulator
	bash bench/lambda-bench.sh

# --- Performance (docs/performance.md) ---
# The container's build on this host: the Dockerfile's Native AOT publish for this machine's architecture. Used by the
# benchmarks and by `make reliability APP=native`, so each measures what the image ships.
NATIVE_RID := linux-$(subst aarch64,arm64,$(subst x86_64,x64,$(shell uname -m)))
NATIVE_OUT ?= $(CURDIR)/artifacts/native

publish-native: ## Publish the Native AOT executable the image ships, for this machine, into NATIVE_OUT (artifacts/native/Users.Functions)
	$(DOTNET) publish src/Users.Functions/Users.Functions.csproj -c Release -r $(NATIVE_RID) -p:PublishAot=true -p:StripSymbols=true \
		-o "$(NATIVE_OUT)" --nologo -v quiet

# make bench: every step bounded; ≈30 min on a quiet 2-core machine from a cold build (most of it Native AOT publishes);
# BENCH_QUICK=1 (one sitting of 10 s per route, no sweep, no read units, no Lambda floor, 7 cold starts each) took 23 min
# on a loaded shared machine.
BENCH_STAMP := $(shell date -u +%Y%m%dT%H%M%SZ)
# The Native AOT publish the benchmarks measure; BENCH_PUBLISH=0 reuses NATIVE_OUT as it is (make bench publishes it once).
BENCH_NATIVE = $(if $(filter 0,$(BENCH_PUBLISH)),@test -x $(NATIVE_OUT)/Users.Functions || { echo "no $(NATIVE_OUT)/Users.Functions: run make publish-native" >&2; exit 1; },$(MAKE) --no-print-directory publish-native)
bench: ## The service as the image ships it (Native AOT), its JIT build and the Python peer: CPU/request, RSS, ready (moto), the guard's interleaved sitting, latency against offered load, memory against table size, the sweep, read units, Lambda cold starts; then docs/img/*.svg (make bench-charts). BENCH_QUICK=1
	$(if $(BENCH_QUICK),BENCH_RUNS=$${BENCH_RUNS:-1} BENCH_SECONDS=$${BENCH_SECONDS:-10} )bash bench/bench.sh shared
	BENCH_PUBLISH=0 bash bench/bench.sh guard || echo "bench: the perf guard's bound is not met (above); its figures are drawn all the same"
	BENCH_PUBLISH=0 $(if $(BENCH_QUICK),LATENCY_SECONDS=$${LATENCY_SECONDS:-3} )bash bench/bench.sh latency
	$(MAKE) --no-print-directory bench-list BENCH_PUBLISH=0 $(if $(BENCH_QUICK),BENCH_LIST_REPS=3)
	$(if $(BENCH_QUICK),,$(MAKE) --no-print-directory bench-sweep BENCH_PUBLISH=0)
	$(if $(BENCH_QUICK),,$(MAKE) --no-print-directory bench-read-units BENCH_PUBLISH=0)
	$(if $(BENCH_QUICK),BENCH_FLOOR_VARIANTS= BENCH_COLD_RUNS=$${BENCH_COLD_RUNS:-7},BENCH_COLD_RUNS=$${BENCH_COLD_RUNS:-15}) bash bench/lambda-bench.sh
	$(MAKE) --no-print-directory bench-charts

bench-sweep: ## The avatar sweep over 1,000 / 10,000 / 100,000 users and avatars (1 % orphans), as the image ships it (Native AOT): time, CPU, peak RSS, AWS calls (bench/sweep_scale.py, stub backend)
	$(BENCH_NATIVE)
	python3 bench/sweep_scale.py --app $(NATIVE_OUT)/Users.Functions --sizes $(or $(SWEEP_SIZES),1000,10000,100000)

native-rid: # The runtime identifier of this machine (bench/bench.sh)
	@echo $(NATIVE_RID)

bench-layers: ## The floor (bench/Users.Floor), the service and the service without each layer (bench/Users.Layers), interleaved: CPU/request per layer
	bash bench/bench.sh layers

bench-charts: ## docs/img/*.svg from the latest results under .local/bench of bench-guard, bench-layers, bench-read-units, bench-saturation, bench-list, lambda-bench and make bench's latency sitting (python3-matplotlib)
	/usr/bin/python3 bench/charts.py $(foreach k,guard layers saturation latency,$(if $(wildcard .local/bench/$(k)-*.jsonl),--$(k) $(lastword $(sort $(wildcard .local/bench/$(k)-*.jsonl))))) \
		$(if $(wildcard .local/bench/list-*.jsonl),--memory $(lastword $(sort $(wildcard .local/bench/list-*.jsonl)))) \
		$(if $(wildcard .local/bench/lambda-*.jsonl),--cold-starts $(lastword $(sort $(wildcard .local/bench/lambda-*.jsonl)))) \
		$(if $(wildcard .local/bench/read-units.log),--read-units .local/bench/read-units.log)

bench-guard: ## The perf guard of make test: Native AOT vs the peer, interleaved, median ratio of CPU/request; GUARD_MAX_GET=0.40 GUARD_MAX_POST=0.75
	bash bench/bench.sh guard

bench-saturation: ## Each server at its limit against a stub backend (bench/stub_backend.py), interleaved in one sitting: the service with list sharing on, off (LIST_COALESCE=false), with a 1 s snapshot, and the peer: CPU ms/request, ratios
	bash bench/bench.sh saturation

bench-list: ## GET /users at 100 / 10,000 / 100,000 users, service (as the image ships it: Native AOT) beside the peer: CPU per listed user, peak RSS (bench/list_scale.py, Scan stub)
	$(BENCH_NATIVE)
	mkdir -p .local/bench
	python3 bench/list_scale.py --backend stub --label users-api --sizes 100,10000,100000 --reps $(or $(BENCH_LIST_REPS),5) --json-out .local/bench/list-$(BENCH_STAMP).jsonl --server 'cd $(NATIVE_OUT) && exec ./Users.Functions'
	python3 bench/list_scale.py --backend stub --label peer --sizes 100,10000,100000 --reps $(or $(BENCH_LIST_REPS),5) --json-out .local/bench/list-$(BENCH_STAMP).jsonl --server 'cd ../shared/bench && exec /usr/bin/python3 /usr/bin/gunicorn -w 2 -b 127.0.0.1:$$PORT peer_flask:app'

bench-read-units: ## DynamoDB read units per GET /users at 100 / 10,000 / 100,000 users, without sharing, coalesced, with a snapshot (bench/read_units.py, Native AOT, Scan-counting stub)
	$(BENCH_NATIVE)
	mkdir -p .local/bench
	python3 bench/read_units.py --sizes 100,10000,100000 --server 'cd $(NATIVE_OUT) && exec ./Users.Functions' | tee .local/bench/read-units.log

bench-profile: ## Where the CPU goes at saturation: perf over the Native AOT build against the stub backend (bench/profile.sh); ROUTE=get|post
	bash bench/profile.sh $(or $(ROUTE),get)

bench-lambda-list: ## 60,000 users through the Lambda emulator: a first page under 6 MB with a Link, every user once by following it
	dotnet build src/Users.Functions -c Release --nologo -v quiet && dotnet build tools/Users.LambdaEmulator -c Release --nologo -v quiet
	python3 bench/lambda_large_list.py

# BenchmarkDotNet builds and runs a child project per benchmark class; it restores from the same NuGet source as the
# solution (checked offline: no in-process toolchain needed). `--job short`: 3 warm-ups, 3 iterations, one launch.
BENCH_FILTER ?= *

bench-micro: ## BenchmarkDotNet micro-benchmarks (GET /users writer, POST /user form + checks, Lambda marshalling) -> artifacts/benchmarks; BENCH_FILTER='*List*'
	$(DOTNET) run -c Release --project bench/Users.Benchmarks -- --filter '$(BENCH_FILTER)' --job short --artifacts artifacts/benchmarks

# --- Terraform ---
TF_VARS ?=

.PHONY: tf-test tf-plan

tf-test: ## Terraform: fmt, validate, terraform test, then test/Users.Terraform.Tests (apply on moto, read back, every AWS request of the app and of a release evaluated against the roles, trust tables, destroy)
	bash scripts/test-terraform.sh

tf-plan: ## Terraform: init + plan against real AWS (credentials from your environment; TF_VARS="-var-file=examples/aws.tfvars")
	@set -euo pipefail; source terraform/tools/cli-env.sh; tf_cli_env .local/tf-cli; \
	terraform -chdir=terraform init -input=false; \
	terraform -chdir=terraform plan -input=false $(TF_VARS)

# --- Reliability (docs/reliability.md) ---
.PHONY: reliability fuzz

reliability: ## The reliability campaign on loopback (load, overload, abuse, faults, rolling restart, hostile clients, fuzz) -> docs/reliability.md; SCENARIOS=a,b QUICK=1 UPDATE_DOC=1 APP=native
	SCENARIOS="$(SCENARIOS)" QUICK="$(QUICK)" UPDATE_DOC="$(UPDATE_DOC)" APP="$(APP)" bash scripts/reliability.sh

fuzz: ## Long property-based fuzz run (FsCheck) over the multipart reader, avatar sniffer, validator and Lambda events; FUZZ_ITERATIONS=5000
	FUZZ_ITERATIONS=$${FUZZ_ITERATIONS:-5000} $(DOTNET) test Users.slnx -c $(CONFIGURATION) --filter "FullyQualifiedName~Fuzz"
