# syntax=docker/dockerfile:1
# The RemoteWorkload operator image: a framework-dependent publish of src/Operator on the ASP.NET
# Core runtime image, running as UID 65532 with a read-only root filesystem (only /tmp, an
# emptyDir in the Helm chart, is written to).
#   docker build -t remoteworkload-operator:0.1.0 .
# Multi-arch: docker buildx build --platform linux/amd64,linux/arm64 -t <registry>/remoteworkload-operator:0.1.0 --push .

FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
ENV DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
WORKDIR /src
# Restore on its own layer: it is reused while only sources change.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Operator.Entities/Operator.Entities.csproj src/Operator.Entities/
COPY src/Operator/Operator.csproj src/Operator/
RUN dotnet restore src/Operator/Operator.csproj -a "$TARGETARCH"
COPY src/ src/
RUN dotnet publish src/Operator/Operator.csproj -c Release -a "$TARGETARCH" --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
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
COPY --from=build --chown=0:0 /app ./
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/app/remoteworkload-operator"]
