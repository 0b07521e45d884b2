# Users API — every developer and CI entry point. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

DOTNET ?= dotnet
CONFIGURATION ?= Release
SOLUTION := Users.slnx

.PHONY: help build test test-dotnet format format-check run clean

help: ## List the targets
	@grep -hE '^[a-zA-Z0-9_.-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-22s %s\n", $$1, $$2}'

build: ## Build the solution (warnings are errors)
	$(DOTNET) build $(SOLUTION) -c $(CONFIGURATION)

test: ## Build and run every test (unit, integration against moto_server, ...)
	bash scripts/test.sh

test-dotnet: ## Run the .NET test projects only
	bash scripts/test-dotnet.sh

format: ## Apply dotnet format
	$(DOTNET) format $(SOLUTION)

format-check: ## Fail when dotnet format would change anything
	$(DOTNET) format $(SOLUTION) --verify-no-changes

run: ## Start a local AWS emulator (unless AWS_ENDPOINT_URL is set), create the table and bucket, run the API on :8080
	bash scripts/run-local.sh

clean: ## Remove build output
	$(DOTNET) clean $(SOLUTION) >/dev/null; rm -rf artifacts .local

# --- Image and chart ---
IMAGE ?= users-api:local
CHART := helm/users-api

.PHONY: image test-image helm-template minikube

image: ## Build the container image users-api:local, or IMAGE=name:tag (docker if an engine answers, else podman with ../shared's .NET image stand-ins)
	IMAGE=$(IMAGE) bash scripts/test-image.sh --build-only

test-image: ## Build the image and smoke-test it read-only, non-root, against moto_server (part of `make test`)
	IMAGE=$(IMAGE) bash scripts/test-image.sh

helm-template: ## Render the Helm chart with its defaults and each values-*.yaml into artifacts/helm/ (helm, else ../shared helmrender)
	@set -euo pipefail; mkdir -p artifacts/helm; \
	if command -v helm >/dev/null 2>&1; then render=(helm template users --namespace users --kube-version v1.31.0); \
	else tool=.local/helmrender; [ -x "$$tool" ] || { mkdir -p .local; sh ../shared/tools/helmrender/build.sh "$$PWD/$$tool" >/dev/null; }; \
	  render=("$$tool" --name users --namespace users --kube-version v1.31.0); fi; \
	for values in "" $(CHART)/values-*.yaml; do \
	  name=$$(basename "$${values:-values-default.yaml}" .yaml); \
	  "$${render[@]}" $${values:+-f "$$values"} $(CHART) > "artifacts/helm/$$name.yaml"; \
	  echo "$$name: $$(grep -c '^kind:' "artifacts/helm/$$name.yaml") objects -> artifacts/helm/$$name.yaml"; \
	done

minikube: ## Run the API on minikube: LocalStack, Terraform, image load, helm install, helm test (docs/container-and-helm.md)
	bash scripts/minikube.sh

# --- Terraform ---
TF_VARS ?=

.PHONY: tf-test tf-plan

tf-test: ## Terraform: fmt, validate, terraform test, apply on moto + API checks + smoke, destroy
	bash scripts/test-terraform.sh

tf-plan: ## Terraform: init + plan against real AWS (credentials from your environment; TF_VARS="-var-file=examples/aws.tfvars")
	@set -euo pipefail; source terraform/tools/cli-env.sh; tf_cli_env .local/tf-cli; \
	terraform -chdir=terraform init -input=false; \
	terraform -chdir=terraform plan -input=false $(TF_VARS)
