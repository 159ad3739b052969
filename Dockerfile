# Build on the SDK image, run on the chiseled runtime-deps image (no shell, non-root, no .NET runtime): the bot is
# published as Native AOT, one native executable that needs only libc, OpenSSL and zlib (README "Performance": about
# half the idle memory of the ReadyToRun build, and a faster start). Kestrel (Slack's HTTP mode, the health listener)
# is compiled into it.
# Native AOT compiles for the architecture it builds on, so the build stage runs on the target platform (under
# emulation when building another architecture's image), not on $BUILDPLATFORM.
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
# The native linker and the zlib headers Native AOT links against.
RUN apt-get update \
    && apt-get install -y --no-install-recommends clang zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src

# Restore first, from the project files only, so the layer is reused until dependencies change.
# .editorconfig sets analyzer severities the build treats as errors otherwise (warnings are errors).
COPY global.json .editorconfig Directory.Build.props Directory.Packages.props SupportBot.sln ./
COPY src/SupportBot.Core/SupportBot.Core.csproj src/SupportBot.Core/
COPY src/SupportBot.Discord/SupportBot.Discord.csproj src/SupportBot.Discord/
COPY src/SupportBot.Slack/SupportBot.Slack.csproj src/SupportBot.Slack/
COPY src/SupportBot/SupportBot.csproj src/SupportBot/
RUN dotnet restore src/SupportBot -p:PublishAot=true

COPY src/ src/
COPY prompts/ prompts/
RUN dotnet publish src/SupportBot -c Release --no-restore -p:PublishAot=true -o /app \
    && rm -f /app/*.dbg /app/*.pdb /app/*.xml \
    && mkdir /data

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled
WORKDIR /app
COPY --from=build /app .
COPY --from=build --chown=1654:1654 /data /data

# The database lives on the volume. Give the key once, from an env file or secret kept outside the image and
# the volume (README, "Docker"); without one a key file is created beside the database on the volume.
# Inside a container every listener binds all interfaces: Slack's HTTP mode on 3000, health and metrics on 8080.
ENV SUPPORTBOT_Storage__Path=/data/supportbot.db \
    SUPPORTBOT_Slack__Urls=http://+:3000 \
    SUPPORTBOT_Health__Urls=http://+:8080
VOLUME /data
# 3000: Slack HTTP mode (Events API, commands, interactivity). 8080: /healthz, /readyz, /metrics.
EXPOSE 3000 8080
USER 1654
# The chiseled image has no shell or curl: the bot itself asks its /readyz (exit 0 ready, 1 not).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["/app/SupportBot", "--health"]
ENTRYPOINT ["/app/SupportBot"]
