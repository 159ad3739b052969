# Build on the SDK image, run on the chiseled ASP.NET Core runtime image (no shell, non-root). ASP.NET Core,
# not the plain runtime, because Slack's HTTP mode serves requests with Kestrel.
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
ARG TARGETARCH
WORKDIR /src

# Restore first, from the project files only, so the layer is reused until dependencies change.
COPY global.json Directory.Build.props Directory.Packages.props SupportBot.sln ./
COPY src/SupportBot.Core/SupportBot.Core.csproj src/SupportBot.Core/
COPY src/SupportBot.Discord/SupportBot.Discord.csproj src/SupportBot.Discord/
COPY src/SupportBot.Slack/SupportBot.Slack.csproj src/SupportBot.Slack/
COPY src/SupportBot/SupportBot.csproj src/SupportBot/
# ReadyToRun (precompiled code, so less JIT at start): measured with bench/ (bench/HISTORY.md).
RUN dotnet restore src/SupportBot -a $TARGETARCH -p:PublishReadyToRun=true

COPY src/ src/
COPY prompts/ prompts/
RUN dotnet publish src/SupportBot -c Release -a $TARGETARCH --no-restore -p:PublishReadyToRun=true -o /app \
    && mkdir /data

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled
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
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["dotnet", "SupportBot.dll", "--health"]
ENTRYPOINT ["dotnet", "SupportBot.dll"]
