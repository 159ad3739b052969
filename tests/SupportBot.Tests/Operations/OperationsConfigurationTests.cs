using Microsoft.Data.Sqlite;
using SupportBot.Core.Storage;
using SupportBot.Operations;

namespace SupportBot.Tests.Operations;

/// <summary>The host's reading of its command line and environment, and its one-line storage errors.</summary>
public sealed class OperationsConfigurationTests
{
    [Fact]
    public void A_verb_is_taken_out_so_it_cannot_swallow_the_next_setting()
    {
        var invocation = Invocation.Parse(["--check", "--Storage:Path=/data/x.db"]);

        Assert.Equal(Verb.Check, invocation.Verb);
        Assert.Equal(["--Storage:Path=/data/x.db"], invocation.ConfigurationArgs);
    }

    [Fact]
    public void Backup_needs_a_file_and_with_key_belongs_to_backup_only()
    {
        Assert.Contains("needs a file name", Invocation.Parse(["backup"]).Problem, StringComparison.Ordinal);
        Assert.Contains("backup only", Invocation.Parse(["restore", "x.db", "--with-key"]).Problem, StringComparison.Ordinal);
        var backup = Invocation.Parse(["--Storage:Path=a.db", "backup", "b.db", "--with-key"]);
        Assert.Equal((Verb.Backup, "b.db", true), (backup.Verb, backup.File, backup.WithKey));
        Assert.Equal(["--Storage:Path=a.db"], backup.ConfigurationArgs);
    }

    [Fact]
    public void Known_variables_in_any_case_list_entries_and_logging_are_not_warned_about()
    {
        var environment = new Dictionary<string, string>
        {
            ["SUPPORTBOT_slack__volunteeruserids__0"] = "U1",
            ["SUPPORTBOT_Discord__VolunteerUserIds__3"] = "1",
            ["SUPPORTBOT_Logging__Console__FormatterName"] = "json",
            ["SUPPORTBOT_Health__Urls"] = "http://+:8080",
            ["SUPPORTBOT_Console__ShowLogs"] = "true",
            ["PATH"] = "/usr/bin",
        };

        Assert.Empty(ConfigurationCheck.UnknownVariables(environment));
    }

    [Theory]
    [InlineData("SUPPORTBOT_Storage__RetentionDay", "SUPPORTBOT_Storage__RetentionDays")]
    [InlineData("SUPPORTBOT_Slack__SigningSecrets", "SUPPORTBOT_Slack__SigningSecret")]
    [InlineData("SUPPORTBOT_Discord__Tokn", "SUPPORTBOT_Discord__Token")]
    [InlineData("SUPPORTBOT_Health__Url", "SUPPORTBOT_Health__Urls")]
    public void A_misspelt_variable_is_answered_with_the_nearest_real_one(string variable, string nearest)
    {
        var warning = Assert.Single(ConfigurationCheck.UnknownVariables(new Dictionary<string, string> { [variable] = "value-not-shown" }));

        Assert.Contains($"{variable} matches no setting", warning, StringComparison.Ordinal);
        Assert.EndsWith($"Did you mean {nearest}?", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("value-not-shown", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_section_bound_from_configuration_elsewhere_is_known_without_being_listed()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        Microsoft.Extensions.DependencyInjection.OptionsBuilderConfigurationExtensions.BindConfiguration(
            Microsoft.Extensions.DependencyInjection.OptionsServiceCollectionExtensions.AddOptions<LaterOptions>(services), LaterOptions.Section);
        var environment = new Dictionary<string, string> { ["SUPPORTBOT_Later__Threshold"] = "3", ["SUPPORTBOT_Later__Treshold"] = "3" };

        var warning = Assert.Single(ConfigurationCheck.UnknownVariables(environment, services));
        Assert.EndsWith("Did you mean SUPPORTBOT_Later__Threshold?", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_read_only_database_is_one_line_with_the_path_the_user_and_the_fix()
    {
        var line = StorageProblem.Describe(new SqliteException("attempt to write a readonly database", 8), new StorageOptions { Path = "/data/supportbot.db" });

        Assert.NotNull(line);
        Assert.DoesNotContain('\n', line);
        Assert.Contains("the database is read-only at /data/supportbot.db", line, StringComparison.Ordinal);
        Assert.Contains("user id " + StorageProblem.UserId(), line, StringComparison.Ordinal);
        Assert.Contains("chown", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_failures_are_not_mistaken_for_storage_problems()
    {
        Assert.Null(StorageProblem.Describe(new SqliteException("no such table", 1), new StorageOptions { Path = "/data/supportbot.db" }));
        Assert.Null(StorageProblem.Describe(new FormatException("bad"), new StorageOptions { Path = "/data/supportbot.db" }));
    }

    private sealed class LaterOptions
    {
        public const string Section = "Later";

        public int Threshold { get; set; }
    }
}
