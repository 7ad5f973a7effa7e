# Local control plane: an in-process Kubernetes API server emulator (test support, see docs/control-plane.md).
#   make control-plane KUBECONFIG_OUT=/tmp/cp/admin.kubeconfig [PORT=6443] [RBAC=config/rbac] [CRD=config/crd]
# Runs in the foreground until SIGINT/SIGTERM; prints `kubeconfig: <path>` once it serves requests.
CONTROL_PLANE_PROJECT := tests/Operator.Testing.ControlPlane.Host
CONTROL_PLANE_DLL := $(CONTROL_PLANE_PROJECT)/bin/$(CONFIGURATION)/net10.0/Operator.Testing.ControlPlane.Host.dll
PORT ?= 0
RBAC ?=
CRD ?=

.PHONY: control-plane
control-plane: ## Run the local Kubernetes API emulator (KUBECONFIG_OUT=path [PORT=n] [RBAC=config/rbac] [CRD=config/crd]).
	@test -n "$(KUBECONFIG_OUT)" || { echo "usage: make control-plane KUBECONFIG_OUT=<path> [PORT=<port>] [RBAC=config/rbac] [CRD=config/crd]" >&2; exit 2; }
	@$(DOTNET) build $(CONTROL_PLANE_PROJECT) -c $(CONFIGURATION) --nologo -v quiet >&2
	@exec $(DOTNET) $(CONTROL_PLANE_DLL) --kubeconfig-out "$(KUBECONFIG_OUT)" --port $(PORT) $(foreach d,$(CRD),--crd $(d)) $(foreach d,$(RBAC),--rbac $(d))
