using SupportBot.Core;

namespace SupportBot.ConsoleChat;

/// <summary>
/// What the console shows and remembers: every reply as lines prefixed by its audience, the numbered choices of
/// the last interactive reply each person saw, and forms being answered one field per line.
/// </summary>
internal sealed class ConsoleTranscript(TextWriter output, IReadOnlyList<string> volunteers)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<Choice>> _choices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PendingForm> _forms = new(StringComparer.Ordinal);

    public void Write(Reply reply)
    {
        var (prefix, viewers) = reply.Audience switch
        {
            Audience.OnlyActor only => ($"[only {only.User.UserId}]", new[] { only.User.UserId }),
            Audience.Direct direct => ($"[dm {direct.User.UserId}]", new[] { direct.User.UserId }),
            _ => ("[volunteers]", volunteers.ToArray()),
        };

        var lines = new List<string>();
        var choices = new List<Choice>();
        PendingForm? form = null;
        foreach (var block in reply.Blocks)
        {
            switch (block)
            {
                case TextBlock text:
                    if (text.Heading is not null)
                    {
                        lines.Add(Plain(text.Heading));
                    }

                    lines.AddRange(text.Body.Split('\n').Select(l => Plain(l.TrimEnd('\r'))));
                    break;
                case ButtonsBlock buttons:
                    foreach (var button in buttons.Buttons)
                    {
                        choices.Add(new Choice(button.ActionId, null, false));
                        lines.Add($"[{choices.Count}] {button.Label}");
                    }

                    break;
                case SelectBlock select:
                    // The placeholder often repeats the question just above it; say it once.
                    var question = lines.Count > 0 && lines[^1] == select.Placeholder ? "" : select.Placeholder;
                    var hint = select.Multiple ? $"{question} (choose any, like [1,3])".TrimStart() : question;
                    if (hint.Length > 0)
                    {
                        lines.Add(hint);
                    }

                    foreach (var option in select.Options)
                    {
                        choices.Add(new Choice(select.ActionId, option.Value, select.Multiple));
                        lines.Add($"[{choices.Count}] {option.Label}");
                    }

                    break;
                case FormBlock f:
                    lines.Add(f.Title);
                    form = new PendingForm(f, new Dictionary<string, string>());
                    lines.Add(Ask(viewers[0], f.Fields[0]));
                    break;
            }
        }

        lock (_lock)
        {
            foreach (var viewer in viewers)
            {
                if (choices.Count > 0)
                {
                    _choices[viewer] = choices;
                }

                if (form is not null)
                {
                    _forms[viewer] = form;
                }
            }

            foreach (var line in lines)
            {
                output.WriteLine($"{prefix} {line}".TrimEnd());
            }

            output.Flush();
        }
    }

    public void WriteTo(string user, string text) => Write(new Reply(new Audience.OnlyActor(new Address(Platform.Console, user)), [new TextBlock(text)]));

    public void WriteProtocolError(string text)
    {
        lock (_lock)
        {
            output.WriteLine($"[console] {text}");
            output.Flush();
        }
    }

    /// <summary>Turns "[2]" or "[1,3]" into the action of the last interactive reply this person saw.</summary>
    public (string ActionId, IReadOnlyList<string> Values)? Choose(string user, IReadOnlyList<int> numbers, out string? problem)
    {
        lock (_lock)
        {
            problem = null;
            if (!_choices.TryGetValue(user, out var choices) || choices.Count == 0)
            {
                problem = "There is nothing to choose from yet.";
                return null;
            }

            if (numbers.Any(n => n < 1 || n > choices.Count))
            {
                problem = $"Choose a number from 1 to {choices.Count}.";
                return null;
            }

            var picked = numbers.Distinct().Select(n => choices[n - 1]).ToList();
            if (picked.Count == 1 && picked[0].Value is null)
            {
                return (picked[0].ActionId, []);
            }

            if (picked.Any(c => c.Value is null || c.ActionId != picked[0].ActionId) || (picked.Count > 1 && !picked[0].Multiple))
            {
                problem = "Those choices do not go together; pick one button, or several options of one list.";
                return null;
            }

            return (picked[0].ActionId, picked.Select(c => c.Value!).ToList());
        }
    }

    /// <summary>Takes a plain line as the next field of this person's open form; the form when it is complete.</summary>
    public (string FormId, IReadOnlyDictionary<string, string> Fields)? AnswerForm(string user, string text)
    {
        lock (_lock)
        {
            if (!_forms.TryGetValue(user, out var form))
            {
                return null;
            }

            form.Answers[form.Form.Fields[form.Answers.Count].Id] = text;
            if (form.Answers.Count < form.Form.Fields.Count)
            {
                output.WriteLine($"[only {user}] {Ask(user, form.Form.Fields[form.Answers.Count])}");
                output.Flush();
                return null;
            }

            _forms.Remove(user);
            return (form.Form.FormId, form.Answers);
        }
    }

    private static string Ask(string user, FormField field) => $"{field.Label} (write it as \"{user}: ...\")";

    // The console shows plain text; the markdown markers other platforms render would only be noise here.
    private static string Plain(string text) => text.Replace("**", "", StringComparison.Ordinal);

    private sealed record Choice(string ActionId, string? Value, bool Multiple);

    private sealed record PendingForm(FormBlock Form, Dictionary<string, string> Answers);
}
