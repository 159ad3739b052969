using System.Runtime.CompilerServices;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using SupportBot.Core.Operations;

namespace SupportBot.Operations;

internal static class OperationsServiceCollectionExtensions
{
    /// <summary>
    /// The health listener (when Health:Urls is set) and metrics: Prometheus on that listener, OTLP when
    /// Metrics:OtlpEndpoint is set; the bot stopped if its triage files are broken; one compaction once the adapters are
    /// connected and triage is loaded. Call before the adapters, so the
    /// listener starts first.
    /// </summary>
    public static IHostApplicationBuilder AddOperations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.Section);
        builder.Services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section)
            .Validate(o => o.OtlpEndpoint.Length == 0 || Uri.TryCreate(o.OtlpEndpoint, UriKind.Absolute, out _), "Metrics:OtlpEndpoint must be an absolute URL.")
            .ValidateOnStart();
        var health = builder.Configuration.GetSection(HealthOptions.Section).Get<HealthOptions>() ?? new HealthOptions();
        var otlp = builder.Configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>()?.OtlpEndpoint ?? "";
        if (health.IsEnabled || otlp.Length > 0)
        {
            builder.Services.AddOpenTelemetry().ConfigureResource(r => r.AddService("supportbot")).WithMetrics(metrics =>
            {
                metrics.AddMeter(BotMetrics.MeterName);
                if (health.IsEnabled)
                {
                    metrics.AddPrometheusExporter();
                }

                if (Uri.TryCreate(otlp, UriKind.Absolute, out var endpoint))
                {
                    AddOtlp(metrics, endpoint);
                }
            });
        }

        if (health.IsEnabled)
        {
            builder.Services.AddSingleton<HealthListener>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<HealthListener>());
        }

        builder.Services.AddHostedService<TriageLoading>();
        builder.Services.AddHostedService<StartupCompaction>();

        return builder;
    }

    // A method of its own (never inlined), so that the OTLP exporter's assembly is loaded only when an endpoint is set.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddOtlp(MeterProviderBuilder metrics, Uri endpoint) => metrics.AddOtlpExporter(o => o.Endpoint = endpoint);
}
