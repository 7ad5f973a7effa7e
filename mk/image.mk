# The operator image, built without Docker or a registry (podman + a local Debian base; docs/helm.md).
#   make image        builds the Dockerfile, writes .artifacts/image/remoteworkload-operator-<tag>.oci.tar
#   make image-smoke  runs that image the way the chart runs it against the local control plane
IMAGE_TAG ?= 0.1.0-dev

.PHONY: image
image: ## Build the operator image from the Dockerfile with podman (no registry) and write an OCI archive.
	scripts/image-build.sh $(IMAGE_TAG)

.PHONY: image-smoke
image-smoke: image ## Run the image with the chart's security context against the local control plane: Running workload, /healthz, /readyz, /metrics.
	scripts/image-smoke.sh $(IMAGE_TAG)
