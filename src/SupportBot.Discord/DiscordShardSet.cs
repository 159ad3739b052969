using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace SupportBot.Discord;

/// <summary>
/// Which shards this process runs: <c>Discord:ShardIds</c> when set, else the single <c>Discord:ShardId</c> (the setting
/// from before several shards per process, which keeps working). Discord routes a guild's events to shard
/// <c>(guild_id &gt;&gt; 22) % ShardCount</c> and direct messages to shard 0, so every shard must run somewhere, once.
/// </summary>
public static class DiscordShardSet
{
    /// <summary>The shard ids this process runs, in ascending order. Call on options that passed validation.</summary>
    public static IReadOnlyList<int> Of(DiscordOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ShardIds.Count == 0
            ? [options.ShardId]
            : [.. options.ShardIds.Select(id => int.Parse(id.Trim(), NumberStyles.None, CultureInfo.InvariantCulture)).Order()];
    }

    /// <summary>
    /// Takes a list given as one value ("0,1", or "[0,1]"), as the command line and environment variables give it; the
    /// configuration binder only fills a list from indexed keys (Discord:ShardIds:0), which appsettings.json arrays make.
    /// </summary>
    public static void ReadOneValue(DiscordOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        if (options.ShardIds.Count == 0 && configuration[$"{DiscordOptions.Section}:{nameof(DiscordOptions.ShardIds)}"] is { } value)
        {
            options.ShardIds = [.. value.Trim().TrimStart('[').TrimEnd(']').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
        }
    }

    /// <summary>What is wrong with the shard settings, in words an admin can act on; null when nothing is.</summary>
    public static string? Problem(DiscordOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ShardCount < 1)
        {
            return "Discord:ShardCount must be at least 1.";
        }

        if (options.ShardIds.Count == 0)
        {
            return options.ShardId >= 0 && options.ShardId < options.ShardCount
                ? null
                : $"Discord:ShardId must be at least 0 and below Discord:ShardCount ({options.ShardCount}).";
        }

        if (options.ShardId != 0)
        {
            return "Set Discord:ShardIds or Discord:ShardId, not both: Discord:ShardIds lists every shard this process runs.";
        }

        var seen = new HashSet<int>();
        foreach (var text in options.ShardIds)
        {
            var trimmed = text.Trim();
            if (!int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return $"Discord:ShardIds must be shard numbers separated by commas (for example 0,1); \"{trimmed}\" is not one.";
            }

            if (id >= options.ShardCount)
            {
                return $"Discord:ShardIds lists shard {id}, but with Discord:ShardCount {options.ShardCount} the shards are 0 to {options.ShardCount - 1}.";
            }

            if (!seen.Add(id))
            {
                return $"Discord:ShardIds lists shard {id} twice; a shard runs on one connection only.";
            }
        }

        return null;
    }

    /// <summary>Shards this process runs, for a log line or the start-up summary: "shard 0 of 1", "shards 0, 1 of 4".</summary>
    public static string Describe(DiscordOptions options)
    {
        if (Problem(options) is not null)
        {
            return "shards not valid (see the error)";
        }

        var shards = Of(options);
        return $"{(shards.Count == 1 ? "shard" : "shards")} {string.Join(", ", shards)} of {options.ShardCount}";
    }
}

/// <summary>Runs <see cref="DiscordShardSet.Problem"/> at start, so a bad shard setting stops the start with its own message.</summary>
internal sealed class DiscordShardValidation : IValidateOptions<DiscordOptions>
{
    public ValidateOptionsResult Validate(string? name, DiscordOptions options) =>
        !options.IsEnabled || DiscordShardSet.Problem(options) is not { } problem ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problem);
}
