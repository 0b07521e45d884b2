# syntax=docker/dockerfile:1
# Users API container image: the ASP.NET Core app on Kestrel, port 8080, non-root, no shell.
#   docker build -t users-api:local .            (or: make image)
#   docker run --read-only --tmpfs /tmp -p 127.0.0.1:8080:8080 -e AWS_ENDPOINT_URL=... users-api:local
# The base images can be swapped (e.g. a mirror) with --build-arg SDK_IMAGE=... --build-arg RUNTIME_IMAGE=...
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled

# ---- build: restore (cached while no project file changes), then publish ----
# On the builder's own platform: the framework-dependent output is the same for every target platform, so a
# multi-arch build (docker buildx --platform linux/amd64,linux/arm64) compiles once, without emulation.
FROM --platform=$BUILDPLATFORM ${SDK_IMAGE} AS build
WORKDIR /src
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1 \
    DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Only what restore reads: this layer and the restore below are reused until a project or props file changes.
COPY global.json Directory.Build.props Directory.Packages.props Users.slnx .editorconfig ./
COPY src/Users.Core/Users.Core.csproj src/Users.Core/
COPY src/Users.Functions/Users.Functions.csproj src/Users.Functions/
COPY src/Users.Lambda.Hosting/Users.Lambda.Hosting.csproj src/Users.Lambda.Hosting/
RUN dotnet restore src/Users.Functions/Users.Functions.csproj
# The sources, then a framework-dependent publish for the aspnet runtime image.
COPY src/ src/
RUN dotnet publish src/Users.Functions/Users.Functions.csproj -c Release -o /app --no-restore -p:UseAppHost=false

# ---- final: chiseled ASP.NET Core runtime (no shell, no package manager), non-root ----
FROM ${RUNTIME_IMAGE} AS final
ARG VERSION=1.0.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="users-api" \
      org.opencontainers.image.description="Users API: users in DynamoDB, avatars in S3 (ASP.NET Core, .NET 10)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled"
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
ENTRYPOINT ["dotnet", "Users.Functions.dll"]
