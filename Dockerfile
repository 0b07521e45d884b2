# syntax=docker/dockerfile:1
# Users API container image: the ASP.NET Core app compiled ahead of time (Native AOT) to one native executable,
# on Kestrel, port 8080, non-root, no shell, no .NET runtime in the image (docs/container-and-helm.md).
#   docker build -t users-api:local .            (or: make image)
#   docker run --read-only --tmpfs /tmp -p 127.0.0.1:8080:8080 -e AWS_ENDPOINT_URL=... users-api:local
# Native AOT because it is what reaches the service's targets (docs/performance.md): ready in well under 0.1 s, about
# 70 MB resident under load against ~160 MB for the JIT build, the same CPU per request, a ~40 MB image.
# The base images can be swapped (e.g. a mirror) with --build-arg SDK_IMAGE=... --build-arg RUNTIME_IMAGE=...
# (SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0-noble-aot already has the native toolchain the first RUN installs.)
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled

# ---- build: native toolchain, restore (cached while no project file changes), then the Native AOT publish ----
# Built on the target platform itself (no --platform=$BUILDPLATFORM): Native AOT compiles for the machine it runs on,
# so a multi-arch image is one build per architecture (the release workflow uses an arm64 runner for linux/arm64).
FROM ${SDK_IMAGE} AS build
ARG TARGETARCH
WORKDIR /src
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1 \
    DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Native AOT links with clang and needs zlib's headers; skipped when the SDK image already has them.
RUN if ! command -v clang >/dev/null 2>&1; then \
      apt-get update && apt-get install -y --no-install-recommends clang zlib1g-dev && rm -rf /var/lib/apt/lists/*; \
    fi
# The runtime identifier of this platform (TARGETARCH is set by BuildKit and podman; uname for the legacy builder).
RUN case "${TARGETARCH:-$(uname -m)}" in \
      amd64|x86_64) echo linux-x64 ;; \
      arm64|aarch64) echo linux-arm64 ;; \
      *) echo "unsupported architecture ${TARGETARCH:-$(uname -m)}" >&2; exit 1 ;; \
    esac > /rid
# Only what restore reads: this layer and the restore below are reused until a project, lock or props file changes.
COPY global.json nuget.config Directory.Build.props Directory.Build.targets Directory.Packages.props Users.slnx .editorconfig ./
COPY src/Users.Core/Users.Core.csproj src/Users.Core/packages.lock.json src/Users.Core/
COPY src/Users.Functions/Users.Functions.csproj src/Users.Functions/packages.lock.json src/Users.Functions/Runtime.props src/Users.Functions/
COPY src/Users.Lambda.Hosting/Users.Lambda.Hosting.csproj src/Users.Lambda.Hosting/packages.lock.json src/Users.Lambda.Hosting/
COPY src/Users.Logging/Users.Logging.csproj src/Users.Logging/packages.lock.json src/Users.Logging/
# Locked: exactly the packages (and content hashes) the lock files name, from nuget.config's one source, or the build
# fails. RuntimeIdentifier as the publish below sets it (`-r` on restore would narrow the lock files' platforms).
RUN dotnet restore src/Users.Functions/Users.Functions.csproj --locked-mode -p:RuntimeIdentifier="$(cat /rid)" -p:PublishAot=true
# The sources, then one native executable (symbols stripped into a .dbg file, which the image leaves out).
COPY src/ src/
RUN dotnet publish src/Users.Functions/Users.Functions.csproj -c Release -r "$(cat /rid)" --no-restore \
      -p:PublishAot=true -p:StripSymbols=true -o /app \
 && rm -f /app/*.dbg /app/*.pdb

# ---- final: chiseled runtime-deps (glibc, libssl, CA certificates; no shell, no package manager), non-root ----
FROM ${RUNTIME_IMAGE} AS final
ARG VERSION=1.0.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="users-api" \
      org.opencontainers.image.description="Users API: users in DynamoDB, avatars in S3 (ASP.NET Core, .NET 10, Native AOT)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled"
WORKDIR /app
# Root-owned and not writable by the app user; the only writable place at run time is /tmp (a tmpfs or emptyDir).
COPY --from=build /app ./
ENV ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_RUNNING_IN_CONTAINER=true \
    TMPDIR=/tmp
EXPOSE 8080
# The image's non-root app user (1654); Kubernetes' runAsNonRoot can verify the numeric id.
USER $APP_UID
# No HEALTHCHECK: there is no shell or curl in a chiseled image; orchestrators probe /health/live and /health/ready.
ENTRYPOINT ["/app/Users.Functions"]
