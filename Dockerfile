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
RUN dotnet restore src/SupportBot -a $TARGETARCH

COPY src/ src/
COPY prompts/ prompts/
RUN dotnet publish src/SupportBot -c Release -a $TARGETARCH --no-restore -o /app \
    && mkdir /data

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled
WORKDIR /app
COPY --from=build /app .
COPY --from=build --chown=1654:1654 /data /data

# The database and its key file live on the volume; give a real key with SUPPORTBOT_Storage__EncryptionKey.
ENV SUPPORTBOT_Storage__Path=/data/supportbot.db
VOLUME /data
USER 1654
ENTRYPOINT ["dotnet", "SupportBot.dll"]
