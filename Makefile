# RemoteWorkload Operator — developer entry points. `make help` lists them.
SHELL := /bin/bash
DOTNET ?= dotnet
CONFIGURATION ?= Debug
CRD_FILE := config/crd/remoteworkloads.workloads.dev.yaml

export DOTNET_NOLOGO := 1
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets.
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

.PHONY: build
build: ## Build every project.
	$(DOTNET) build Operator.sln -c $(CONFIGURATION)

.PHONY: test
test: ## Build and run every test project (Microsoft Testing Platform).
	$(DOTNET) test --solution Operator.sln -c $(CONFIGURATION) $(TEST_ARGS)

.PHONY: manifests
manifests: ## Regenerate config/crd (and the chart's copy) from the C# API types.
	$(DOTNET) run --project tools/Operator.CrdGen -c $(CONFIGURATION) -- $(CRD_FILE)
	@if [ -d charts/remoteworkload-operator ]; then mkdir -p charts/remoteworkload-operator/files && cp $(CRD_FILE) charts/remoteworkload-operator/files/crd.yaml; fi

.PHONY: lint
lint: ## Fail when code is not `dotnet format` clean.
	$(DOTNET) format Operator.sln --verify-no-changes

.PHONY: format
format: ## Apply `dotnet format`.
	$(DOTNET) format Operator.sln

.PHONY: run
run: ## Run the operator against $KUBECONFIG (extra flags: ARGS="--allow-insecure-endpoints ...").
	$(DOTNET) run --project src/Operator -c $(CONFIGURATION) -- $(if $(KUBECONFIG),--kubeconfig $(KUBECONFIG)) --leader-elect=false --log-format=console --health-addr=127.0.0.1:8080 $(ARGS)

DEMO_DLL := tools/Operator.Demo/bin/$(CONFIGURATION)/net10.0/Operator.Demo.dll

.PHONY: demo
demo: ## The whole lifecycle on an embedded control plane and IdP, narrated; the operator installed with Helm, its image run by podman; until Ctrl-C/SIGTERM.
	$(DOTNET) build tools/Operator.Demo -c $(CONFIGURATION) --nologo -v quiet
	@# Sourced in this shell, not a subshell: it exports CONTAINERS_CONF for podman and for the demo's pod runner.
	@. scripts/containers-env.sh; reason="$$(containers_unavailable_reason)"; \
	if [ -n "$$reason" ]; then \
	  echo "demo: no containers ($$reason): the operator runs as a local process instead of the chart's pod" >&2; \
	  exec $(DOTNET) $(DEMO_DLL); \
	fi; \
	if ! built="$$(scripts/image-build.sh $(IMAGE_TAG) 2>&1)"; then \
	  echo "demo: the image did not build ($$(printf '%s\n' "$$built" | tail -1)): the chart's pod runs as a local process" >&2; \
	  exec $(DOTNET) $(DEMO_DLL) --chart; \
	fi; \
	exec $(DOTNET) $(DEMO_DLL) --chart --operator-image localhost/remoteworkload-operator:$(IMAGE_TAG)

.PHONY: demo-once
demo-once: ## The same narrated lifecycle, then exit (0 only if every phase appeared in order).
	$(DOTNET) build tools/Operator.Demo -c $(CONFIGURATION) --nologo -v quiet
	$(DOTNET) $(DEMO_DLL) --once

# Feature areas add their targets in mk/*.mk (control plane, demo, chart, benchmarks).
-include mk/*.mk
