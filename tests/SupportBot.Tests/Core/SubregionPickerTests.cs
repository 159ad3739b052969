using SupportBot.Core.Commands;
using SupportBot.Core.Content;
using SupportBot.Tests.Content;

namespace SupportBot.Tests.Core;

public sealed class SubregionPickerTests
{
    [Fact]
    public void The_us_states_are_cut_into_runs_of_at_most_25_that_never_split_a_first_letter()
    {
        var states = PromptsFolder.LoadReal().FindComplaint("us")!.Parts;

        var runs = SubregionPicker.Runs(states);

        Assert.Equal(3, runs.Count);
        Assert.All(runs, r => Assert.InRange(r.Count, 1, SubregionPicker.MaxOptions));
        Assert.Equal(states.Count, runs.Sum(r => r.Count));
        var letters = runs.Select(r => r.Select(p => p.Name[0]).ToHashSet()).ToList();
        Assert.Empty(letters[0].Intersect(letters[1]));
        Assert.Empty(letters[1].Intersect(letters[2]));
    }

    [Fact]
    public void A_short_list_stays_one_select()
    {
        var provinces = PromptsFolder.LoadReal().FindComplaint("ca")!.Parts;

        Assert.Single(SubregionPicker.Runs(provinces));
    }

    [Fact]
    public void More_than_25_names_with_one_first_letter_are_still_cut_to_fit()
    {
        var many = Enumerable.Range(1, 60).Select(i => new Subregion($"a{i}", $"A place {i:D2}")).ToList();

        var runs = SubregionPicker.Runs(many);

        Assert.All(runs, r => Assert.InRange(r.Count, 1, SubregionPicker.MaxOptions));
        Assert.Equal(60, runs.Sum(r => r.Count));
    }
}
