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

# --- Terraform ---
TF_VARS ?=

.PHONY: tf-test tf-plan

tf-test: ## Terraform: fmt, validate, terraform test, apply on moto + API checks + smoke, destroy
	bash scripts/test-terraform.sh

tf-plan: ## Terraform: init + plan against real AWS (credentials from your environment; TF_VARS="-var-file=examples/aws.tfvars")
	terraform -chdir=terraform init -input=false
	terraform -chdir=terraform plan -input=false $(TF_VARS)
