using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using SupportBot.Core.Operations;
using SupportBot.Core.Storage;

namespace SupportBot.Operations;

/// <summary>
/// The small HTTP listener an orchestrator and Prometheus talk to: /healthz (the process answers), /readyz (the
/// database opens and every configured adapter is connected; 503 before) and /metrics. Started first, so that
/// readiness reads 503 while the adapters connect.
/// </summary>
internal sealed partial class HealthListener(
    IOptions<HealthOptions> options, Database database, Connections connections, ILogger<HealthListener> logger, MeterProvider? meters = null)
    : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The address bound, once started (the real port when Urls asked for port 0).</summary>
    public string? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Its own configuration is never reloaded: watching appsettings.json would watch every folder under the working
        // directory (inotify, one watch per folder: hundreds, or failing at the user's limit, when started from a home folder).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.WebHost.UseUrls(options.Value.Urls);
        builder.Logging.ClearProviders();
        _app = builder.Build();
        // Plain request delegates: a handler with parameters goes through minimal APIs' delegate factory, which loads
        // System.Linq.Expressions and sets up form binding at every start (about 90 methods compiled for two endpoints).
        _app.MapGet("/healthz", context => Results.Text("ok\n").ExecuteAsync(context));
        _app.MapGet("/readyz", async context => await (await ReadyAsync(context.RequestAborted)).ExecuteAsync(context));
        if (meters is not null)
        {
            _app.MapPrometheusScrapingEndpoint("/metrics", meters, null, null);
        }

        try
        {
            await _app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            // Kestrel's message names the address and the reason (in use, not permitted); it holds no secret.
            throw new InvalidOperationException($"Health:Urls cannot be served: {e.Message}", e);
        }

        Address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        LogListening(Address ?? options.Value.Urls);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private async Task<IResult> ReadyAsync(CancellationToken ct)
    {
        var databaseOk = await DatabaseAnswersAsync(ct);
        var adapters = connections.Snapshot();
        var ready = databaseOk && connections.AllConnected;
        var body = new JsonObject
        {
            ["status"] = ready ? "ready" : "not ready",
            ["database"] = databaseOk ? "open" : "failing",
            ["adapters"] = new JsonObject(adapters.Select(a =>
                KeyValuePair.Create(a.Key.ToString().ToLowerInvariant(), (JsonNode?)(a.Value ? "connected" : "disconnected")))),
        };
        return Results.Text(body.ToJsonString() + "\n", "application/json", statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private async Task<bool> DatabaseAnswersAsync(CancellationToken ct)
    {
        try
        {
            await using var db = await database.OpenAsync(ct);
            await using var command = db.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(ct);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogDatabaseFailing(e.GetType().Name);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Health listener on {Address}: /healthz, /readyz, /metrics")]
    private partial void LogListening(string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Readiness: the database did not answer ({Kind})")]
    private partial void LogDatabaseFailing(string kind);
}
