using Microsoft.Data.Sqlite;
using SupportBot.Core;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Core;

/// <summary>Commands and buttons that only answer are deduplicated in memory: handled once, and nothing written to disk.</summary>
public sealed class ReadOnlyEventTests : IDisposable
{
    private readonly CoreHarness _core = new();
    private readonly Actor _alice = Say.Member("alice");

    public void Dispose() => _core.Dispose();

    [Theory]
    [InlineData("help")]
    [InlineData("privacy")]
    [InlineData("boundaries")]
    [InlineData("resources")]
    [InlineData("complaint")]
    public async Task A_repeated_read_only_command_is_answered_once_and_writes_no_inbox_row(string name)
    {
        var command = Say.Command(_alice, name);

        var first = await _core.Bot.HandleAsync(command, default);
        var again = await _core.Bot.HandleAsync(command, default);

        Assert.NotEmpty(first);
        Assert.Empty(again);
        Assert.Equal(0, await InboxRowsAsync());
    }

    [Fact]
    public async Task A_repeated_read_only_button_is_answered_once_and_writes_no_inbox_row()
    {
        var press = Say.Press(_alice, "next:resources");

        var first = await _core.Bot.HandleAsync(press, default);
        var again = await _core.Bot.HandleAsync(press, default);

        Assert.NotEmpty(first);
        Assert.Empty(again);
        Assert.Equal(0, await InboxRowsAsync());
    }

    [Fact]
    public async Task A_state_changing_command_still_writes_its_row_and_is_answered_once()
    {
        var end = Say.Command(_alice, "end");

        var first = await _core.Bot.HandleAsync(end, default);
        var again = await _core.Bot.HandleAsync(end, default);

        Assert.NotEmpty(first);
        Assert.Empty(again);
        Assert.Equal(1, await InboxRowsAsync());
    }

    private async Task<long> InboxRowsAsync()
    {
        await using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _core.DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await db.OpenAsync();
        await using var count = db.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM Inbox";
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
