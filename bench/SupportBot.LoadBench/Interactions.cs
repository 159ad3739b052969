using System.Diagnostics;
using System.Text.Json.Nodes;
using SupportBot.Tests.Fakes;

/// <summary>/help interactions sent through the fake gateway, and when the first answer to each reached the fake.</summary>
internal static class Interactions
{
    public static async Task<Dictionary<string, long>> SendAsync(FakeDiscord fake, IReadOnlyList<string> ids)
    {
        var sentAt = new Dictionary<string, long>(ids.Count, StringComparer.Ordinal);
        foreach (var id in ids)
        {
            sentAt[id] = Stopwatch.GetTimestamp();
            await fake.DispatchAsync("INTERACTION_CREATE", Help(id));
        }

        return sentAt;
    }

    /// <summary>The arrival time of the first REST call for each interaction, for as many as were answered in time.</summary>
    public static async Task<Dictionary<string, long>> WaitForAnswersAsync(FakeDiscord fake, IReadOnlyList<string> ids, TimeSpan limit)
    {
        var wanted = ids.ToHashSet(StringComparer.Ordinal);
        var answered = new Dictionary<string, long>(StringComparer.Ordinal);
        var until = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        var seen = 0;
        while (answered.Count < wanted.Count && Stopwatch.GetTimestamp() < until)
        {
            var calls = fake.Calls.ToArray();
            for (; seen < calls.Length; seen++)
            {
                var parts = calls[seen].Path.Trim('/').Split('/');
                var id = parts is ["interactions", var i, ..] ? i : null;
                if (id is not null && wanted.Contains(id))
                {
                    answered.TryAdd(id, calls[seen].Timestamp);
                }
            }

            await Task.Delay(20);
        }

        return answered;
    }

    private static JsonObject Help(string id) => new()
    {
        ["id"] = id,
        ["application_id"] = Host.ApplicationId,
        ["type"] = 2,
        ["token"] = "interaction-token-" + id,
        ["version"] = 1,
        ["guild_id"] = "700000000000000001",
        ["channel_id"] = "300000000000000001",
        ["member"] = new JsonObject
        {
            ["user"] = new JsonObject { ["id"] = "1" + id, ["username"] = "bench", ["global_name"] = "bench" },
            ["roles"] = new JsonArray(),
        },
        ["context"] = 0,
        ["data"] = new JsonObject { ["id"] = "200000000000000001", ["name"] = "help", ["type"] = 1 },
    };
}
