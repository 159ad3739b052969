using System.Text;
using SupportBot.Core.Content;

namespace SupportBot.Core.Commands;

/// <summary>Where to send a complaint, as text: shared by /complaint and the companion's draft so both say it alike.</summary>
internal static class RouteText
{
    /// <summary>
    /// The body, how to reach it, its address and source; first, when a state was chosen but has no body of its own
    /// on record, a sentence saying that the country's route follows. The time limit is included on request.
    /// </summary>
    public static string Describe(ComplaintRoute route, ComplaintGuide guide, Subregion? part, Profession profession, Messages messages, bool withTimeLimit)
    {
        var text = new StringBuilder();
        if (part is not null && !part.Routes.Contains(route))
        {
            text.AppendLine(MessageTemplate.Fill(messages.ComplaintSubregionFallback,
                ("Profession", profession.Label), ("Subregion", part.Name), ("Country", guide.Title)));
        }

        text.Append("**").Append(route.Body).AppendLine("**").AppendLine(route.HowToReach);
        if (route.Url is not null)
        {
            text.AppendLine(route.Url);
        }

        if (withTimeLimit && route.TimeLimit is not null)
        {
            text.AppendLine(MessageTemplate.Fill(messages.ComplaintTimeLimit, ("Limit", route.TimeLimit)));
        }

        return text.Append(MessageTemplate.Fill(messages.Source, ("Source", route.Source))).ToString();
    }
}
