using System.Text.RegularExpressions;
using SupportBot.Core.Content;

namespace SupportBot.Core.Safeguards;

/// <summary>What a volunteer's message seems to carry that would take contact off the platform.</summary>
public enum ContactKind
{
    Phone,
    Email,
    Handle,
    Place,
    Payment,
}

/// <summary>
/// The off-platform contact guard's reading of a volunteer's message. The mission's subject is helpers who moved
/// contact out of the room (private numbers, meetings, money), so a volunteer's message that does the same is held
/// for a second look. It errs on the side of asking: the volunteer can always confirm. The crisis and support lines in
/// prompts/crisis-lines.json are not counted as phone numbers, as sharing them is the point.
/// </summary>
public sealed partial class ContactScreen(ContentCatalog content)
{
    private readonly HashSet<string> _knownLines = content.Crisis.Countries.SelectMany(c => c.Lines).Concat(content.Crisis.International)
        .SelectMany(l => new[] { l.Phone, l.Text })
        .OfType<string>()
        .Select(Digits)
        .Where(d => d.Length > 0)
        .ToHashSet(StringComparer.Ordinal);

    public IReadOnlyList<ContactKind> Find(string text)
    {
        var kinds = new List<ContactKind>();
        if (PhonePattern().Matches(text).Select(m => Digits(m.Value)).Any(d => d.Length >= 9 && !_knownLines.Contains(d)))
        {
            kinds.Add(ContactKind.Phone);
        }

        if (EmailPattern().IsMatch(text))
        {
            kinds.Add(ContactKind.Email);
        }

        if (HandlePattern().IsMatch(text) || AppPattern().IsMatch(text))
        {
            kinds.Add(ContactKind.Handle);
        }

        if (PlacePattern().IsMatch(text))
        {
            kinds.Add(ContactKind.Place);
        }

        if (PaymentPattern().IsMatch(text))
        {
            kinds.Add(ContactKind.Payment);
        }

        return kinds;
    }

    private static string Digits(string text) => new(text.Where(char.IsAsciiDigit).ToArray());

    // Nine digits or more, allowing the separators people type; dates and times have fewer.
    [GeneratedRegex(@"\+?\(?\d[\d\s().\-]{7,}\d", RegexOptions.CultureInvariant)]
    private static partial Regex PhonePattern();

    [GeneratedRegex(@"[\w.+\-]+@[\w\-]+(\.[\w\-]+)+", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    // "@name" not inside an email address.
    [GeneratedRegex(@"(?<![\w@.])@[A-Za-z0-9_][A-Za-z0-9_.]{1,}", RegexOptions.CultureInvariant)]
    private static partial Regex HandlePattern();

    [GeneratedRegex(
        @"\b(insta(gram)?|snap(chat)?|whats\s?app|telegram|signal app|tik\s?tok|facebook|messenger|linkedin|twitter|kik|wechat|skype|t\.me/|wa\.me/|add me on|find me on|follow me|message me on|text me|call me|my (personal )?(number|cell|mobile|phone|handle|profile|account))\b",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex AppPattern();

    [GeneratedRegex(
        @"\b(meet (me|up|you|in person|for)|grab a (coffee|drink|bite)|(coffee|lunch|dinner|drinks?) (together|with me)|my (place|flat|apartment|house|home|address|office)|your (address|place)|come (over|round|by)|pick you up|visit you|where do you live)\b",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex PlacePattern();

    [GeneratedRegex(
        @"\b(pay\s?pal|venmo|cash\s?app|zelle|revolut|monzo|wise\.com|iban|sort code|bank (transfer|details|account)|bitcoin|crypto|gift ?cards?|send (me )?(money|cash|a payment)|pay me|invoice|wire (me|the money))\b",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex PaymentPattern();
}
