#!/usr/bin/env bash
# Issue 14's benchmark: two SupportBot processes on one PostgreSQL against one on SQLite, in the same run, over the
# loopback fake Slack; claims/s across processes; failover after kill -9. Prints a Markdown table. Needs the
# PostgreSQL server binaries the tests use (/usr/lib/postgresql/*/bin). Never part of CI: it loads the machine.
#   bench/cluster.sh [--dms 2000] [--claims 200]
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
out=bench/out/bot
case "$(uname -m)" in aarch64|arm64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac
rm -rf "$out"
dotnet publish src/SupportBot -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true -o "$out" --nologo -v quiet >&2
dotnet build bench/SupportBot.ClusterBench -c Release --nologo -v quiet >&2
exec dotnet bench/SupportBot.ClusterBench/bin/Release/net10.0/SupportBot.ClusterBench.dll --bot "$out/SupportBot.dll" --prompts prompts "$@"
