namespace SupportBot.Core.Content;

/// <summary>Checks that reach across files or that JSON shape alone cannot express.</summary>
internal static class ContentValidator
{
    public static void Validate(ContentCatalog catalog)
    {
        foreach (var list in catalog.RedFlags)
        {
            Require(list.Items.Count > 0, $"redflags/{list.Key}.json: the checklist has no items.");
            foreach (var item in list.Items)
            {
                Require(!string.IsNullOrWhiteSpace(item.Source), $"redflags/{list.Key}.json: item '{item.Id}' has no source.");
            }

            var duplicate = list.Items.GroupBy(i => i.Id).FirstOrDefault(g => g.Count() > 1);
            Require(duplicate is null, $"redflags/{list.Key}.json: item id '{duplicate?.Key}' is used twice.");
        }

        foreach (var theme in catalog.Reflections)
        {
            Require(theme.Prompts.Count > 0, $"reflections/{theme.Key}.json: the theme has no prompts.");
        }

        var professions = catalog.Professions.Select(p => p.Key).ToHashSet();
        foreach (var guide in catalog.Complaints)
        {
            foreach (var route in guide.Routes)
            {
                Require(professions.Contains(route.Profession),
                    $"complaints/{guide.Key}.json: route for unknown profession '{route.Profession}' (see professions.json).");
            }
        }

        foreach (var line in catalog.Crisis.Countries.SelectMany(c => c.Lines).Concat(catalog.Crisis.International))
        {
            Require(line.Phone is not null || line.Text is not null || line.Url is not null,
                $"crisis-lines.json: '{line.Name}' has no phone, text or url.");
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ContentException(message);
        }
    }
}
