namespace SupportBot.Operations;

/// <summary>Health:* configuration: the small listener for /healthz, /readyz and /metrics. Off unless Urls is set.</summary>
public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>Where the listener binds, for example http://+:8080 (all interfaces) or http://127.0.0.1:8080.</summary>
    public string Urls { get; set; } = "";

    public bool IsEnabled => Urls.Length > 0;
}

/// <summary>Metrics:* configuration. Prometheus scrapes /metrics on the health listener; OTLP pushes when an endpoint is set.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>An OTLP collector, for example http://otel-collector:4317. Empty: no push.</summary>
    public string OtlpEndpoint { get; set; } = "";
}
