using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using SupportBot.Core;
using SupportBot.Core.Operations;
using SupportBot.Core.Storage;

namespace SupportBot.ConsoleChat;

/// <summary>
/// The adapter a script can drive: one event per line on standard input, replies as lines on standard output,
/// each beginning with its audience. It is the only adapter when it runs, so it delivers every reply itself.
/// </summary>
public sealed partial class ConsoleAdapter(
    Bot bot,
    Connections connections,
    OutboxStore outbox,
    IOptions<ConsoleOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<ConsoleAdapter> logger) : BackgroundService, IChatAdapter
{
    private readonly ConsoleTranscript _screen = new(Console.Out, options.Value.VolunteerNames);
    private readonly HashSet<string> _volunteers = new(options.Value.VolunteerNames, StringComparer.Ordinal);
    private readonly HashSet<string> _coordinators = new(options.Value.Coordinators, StringComparer.Ordinal);

    public Platform Platform => Platform.Console;

    public Task SendAsync(Reply reply, CancellationToken ct)
    {
        _screen.Write(reply);
        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let the host finish starting (and its logs reach stderr) before the first prompt.
        await Task.Yield();
        connections.Connected(Platform.Console);
        if (Operations.StandardInput.IsInteractive)
        {
            // Only for a person at a terminal: a script reads standard output and expects replies alone.
            _screen.WriteProtocolError(Banner(options.Value.VolunteerNames));
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var line = await ReadLineAsync(stoppingToken);
            if (line is null)
            {
                LogEndOfInput();
                lifetime.StopApplication();
                return;
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var inbound = Parse(line);
            if (inbound is null)
            {
                continue;
            }

            // Finish the line even if shutdown begins meanwhile: its reply may tell a survivor they were heard.
            foreach (var reply in await bot.HandleAsync(inbound, CancellationToken.None))
            {
                _screen.Write(reply);
                await outbox.SentAsync(reply);
            }
        }
    }

    private Inbound? Parse(string line)
    {
        var match = LinePattern().Match(line);
        if (!match.Success)
        {
            _screen.WriteProtocolError("I could not read that line. Write \"name: /command\", \"name (dm): message\" or \"name: [2]\".");
            return null;
        }

        var name = match.Groups["user"].Value;
        var actor = new Actor(new Address(Platform.Console, name), name, _volunteers.Contains(name)) { IsCoordinator = _coordinators.Contains(name) };
        var rest = match.Groups["rest"].Value.Trim();
        var eventId = "console:" + Guid.NewGuid().ToString("N");

        if (ChoicePattern().Match(rest) is { Success: true } choice)
        {
            var numbers = choice.Groups["n"].Captures.Select(c => int.Parse(c.Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            var action = _screen.Choose(name, numbers, out var problem);
            if (action is null)
            {
                _screen.WriteTo(name, problem!);
                return null;
            }

            return new ActionInvoked(actor, eventId, action.Value.ActionId, action.Value.Values);
        }

        if (rest.StartsWith('/'))
        {
            var (command, args) = CommandLine.Parse(bot.Commands, rest[1..]);
            return new SlashCommand(actor, eventId, command, args);
        }

        if (match.Groups["dm"].Success)
        {
            return new DirectMessage(actor, eventId, rest);
        }

        if (_screen.AnswerForm(name, rest) is { } form)
        {
            return new FormSubmitted(actor, eventId, form.FormId, form.Fields);
        }

        _screen.WriteTo(name, $"I only answer slash commands here. To talk privately, write \"{name} (dm): your message\".");
        return null;
    }

    private static async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        // Console reads block their thread and cannot be cancelled (ReadLineAsync on Console.In runs
        // synchronously), so the read runs on the thread pool and is abandoned, not awaited, on shutdown.
        var read = Task.Run(Console.In.ReadLine, CancellationToken.None);
        await Task.WhenAny(read, Task.Delay(Timeout.Infinite, ct));
        ct.ThrowIfCancellationRequested();
        return await read;
    }

    private static string Banner(IReadOnlyList<string> volunteers) => $$"""
        SupportBot console: each line is one person acting, and each reply starts with who sees it. Try:
          alice: /help
          alice (dm): I need to talk to someone
        Volunteers here: {{string.Join(", ", volunteers)}} (try "{{volunteers[0]}}: /queue"). Ctrl+D ends.
        """;

    // Names are letters of any script, digits and _ . -; "(dm)" in any case.
    [GeneratedRegex(@"^\s*(?<user>[\p{L}\p{M}\p{N}_.\-]+)\s*(?<dm>\(dm\))?\s*:(?<rest>.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex LinePattern();

    [GeneratedRegex(@"^\[\s*(?<n>\d{1,3})\s*(,\s*(?<n>\d{1,3})\s*)*\]$")]
    private static partial Regex ChoicePattern();

    [LoggerMessage(Level = LogLevel.Information, Message = "End of input; stopping")]
    private partial void LogEndOfInput();
}
