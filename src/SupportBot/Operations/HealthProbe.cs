namespace SupportBot.Operations;

/// <summary>
/// --health: the same binary asks the running bot's /readyz, because the chiseled image has no shell or curl for
/// a HEALTHCHECK. Exit 0 when ready, 1 when not (or not reachable).
/// </summary>
internal static class HealthProbe
{
    public static async Task<int> RunAsync(IConfiguration configuration)
    {
        var urls = configuration.GetSection(HealthOptions.Section).Get<HealthOptions>()?.Urls ?? "";
        if (urls.Length == 0)
        {
            await Console.Error.WriteLineAsync("--health needs Health:Urls (SUPPORTBOT_Health__Urls), the address the bot's health listener binds.");
            return 1;
        }

        var target = LocalAddress(urls.Split(';')[0]);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await client.GetAsync(new Uri(target, "/readyz"));
            var body = (await response.Content.ReadAsStringAsync()).Trim();
            await Console.Out.WriteLineAsync($"{(int)response.StatusCode} {body}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await Console.Out.WriteLineAsync($"not reachable at {target}: {e.GetType().Name}");
            return 1;
        }
    }

    // A listener bound to every interface (+, *, 0.0.0.0, [::]) is asked on loopback.
    private static Uri LocalAddress(string url)
    {
        var wildcard = url.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal);
        return new Uri(wildcard);
    }
}
