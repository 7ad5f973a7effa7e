# syntax=docker/dockerfile:1
# The RemoteWorkload operator image: a framework-dependent publish of src/Operator on the ASP.NET
# Core runtime image, running as UID 65532 with a read-only root filesystem (only /tmp, an
# emptyDir in the Helm chart, is written to). No shell is needed at run time.
#   docker build -t remoteworkload-operator:0.1.0 .
# Multi-arch: docker buildx build --platform linux/amd64,linux/arm64 -t <registry>/remoteworkload-operator:0.1.0 --push .
# Without a registry, `make image` builds this same file with podman: RUNTIME_IMAGE is a local
# Debian rootfs plus the .NET runtime (scripts/image-base.sh) and APP_IMAGE an image holding the
# output of the same `dotnet publish` run on the host (docs/helm.md says why).
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0
# Where /app comes from: the build stage below, or an image that already holds the publish output.
ARG APP_IMAGE=build

FROM --platform=$BUILDPLATFORM ${SDK_IMAGE} AS build
ARG TARGETARCH
ENV DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
WORKDIR /src
# Restore on its own layer: it is reused while only sources change.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Operator.Entities/Operator.Entities.csproj src/Operator.Entities/
COPY src/Operator.Tokens/Operator.Tokens.csproj src/Operator.Tokens/
COPY src/Operator/Operator.csproj src/Operator/
RUN --mount=type=cache,target=/root/.nuget/packages \
    dotnet restore src/Operator/Operator.csproj -a "$TARGETARCH"
COPY src/ src/
RUN --mount=type=cache,target=/root/.nuget/packages \
    dotnet publish src/Operator/Operator.csproj -c Release -a "$TARGETARCH" --no-restore --self-contained false -o /app

FROM ${APP_IMAGE} AS app

FROM ${RUNTIME_IMAGE}
# Nothing may write outside /tmp: temp files and diagnostics sockets go to TMPDIR, HOME points
# there too, and the image's default ASPNETCORE_HTTP_PORTS is cleared (the operator binds
# --health-addr itself, default 0.0.0.0:8080).
ENV TMPDIR=/tmp \
    HOME=/tmp \
    DOTNET_BUNDLE_EXTRACT_BASE_DIR=/tmp \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1 \
    ASPNETCORE_HTTP_PORTS= \
    ASPNETCORE_URLS=
WORKDIR /app
COPY --from=app --chown=0:0 /app ./
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/app/remoteworkload-operator"]
