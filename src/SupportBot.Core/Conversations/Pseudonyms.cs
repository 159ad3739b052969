using System.Security.Cryptography;

namespace SupportBot.Core.Conversations;

/// <summary>Gentle two-word names that let volunteers tell survivors apart without learning who they are.</summary>
public static class Pseudonyms
{
    private static readonly string[] First =
    [
        "Quiet", "Bright", "Gentle", "Steady", "Brave", "Calm", "Silver", "Golden", "Morning", "Evening",
        "Autumn", "Spring", "Winter", "Summer", "Hidden", "Open", "Wild", "Kind", "Clear", "Warm",
    ];

    private static readonly string[] Second =
    [
        "River", "Harbour", "Meadow", "Willow", "Cedar", "Lantern", "Sparrow", "Heron", "Orchard", "Valley",
        "Brook", "Fern", "Ember", "Pebble", "Aspen", "Tide", "Wren", "Birch", "Clover", "Cove",
    ];

    public static string Next() =>
        $"{First[RandomNumberGenerator.GetInt32(First.Length)]} {Second[RandomNumberGenerator.GetInt32(Second.Length)]}";
}
