#!/usr/bin/env bash
# The benchmark matrix, one command: publishes the bot as a release build (ReadyToRun; --aot: Native AOT, as the
# Dockerfile does), then runs every
# scenario against the loopback fakes and prints a Markdown table on standard output (progress on standard error).
#   bench/run.sh                 full matrix, three runs each, medians (about 10 minutes)
#   bench/run.sh --quick         shorter feeds, one run each (about 3 minutes)
#   bench/run.sh --only burst    one group (rates, burst, slack, survivors, dms, startup); --help for the rest
#   bench/run.sh --aot           the bot published as Native AOT instead (a native executable; the publish is slow)
#   bench/run.sh --bot PATH      a bot published already: PATH/SupportBot.dll (ReadyToRun) or PATH/SupportBot (Native AOT)
# The reference bots (discord.js, Slack Bolt) run on the same feed when node is installed and
# bench/reference/install.sh has been run. Never part of CI: it loads the machine on purpose.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

aot=0
args=()
for arg in "$@"; do
  if [[ "$arg" == --aot ]]; then aot=1; else args+=("$arg"); fi
done
set -- ${args[@]+"${args[@]}"}

out=bench/out/bot
if [[ " $* " != *" --bot "* ]]; then
  case "$(uname -m)" in aarch64|arm64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac
  rm -rf "$out"
  if [[ $aot == 1 ]]; then
    dotnet publish src/SupportBot -c Release -r "$rid" -p:PublishAot=true -o "$out" --nologo -v quiet >&2
    set -- --bot "$out/SupportBot" "$@"
  else
    # ReadyToRun for this machine's architecture: minutes to publish, where Native AOT takes a quarter of an hour.
    dotnet publish src/SupportBot -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true -o "$out" --nologo -v quiet >&2
    set -- --bot "$out/SupportBot.dll" "$@"
  fi
fi
dotnet build bench/SupportBot.LoadBench -c Release --nologo -v quiet >&2
exec dotnet bench/SupportBot.LoadBench/bin/Release/net10.0/SupportBot.LoadBench.dll "$@"
