using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using SupportBot.Core.Operations;

namespace SupportBot.Operations;

internal static class OperationsServiceCollectionExtensions
{
    /// <summary>
    /// The health listener (when Health:Urls is set) and metrics: Prometheus on that listener, OTLP when
    /// Metrics:OtlpEndpoint is set. Call before the adapters, so the listener starts first.
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
                    metrics.AddOtlpExporter(o => o.Endpoint = endpoint);
                }
            });
        }

        if (health.IsEnabled)
        {
            builder.Services.AddSingleton<HealthListener>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<HealthListener>());
        }

        return builder;
    }
}
