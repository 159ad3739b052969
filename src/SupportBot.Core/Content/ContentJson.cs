using System.Text.Json;
using System.Text.Json.Serialization;
using SupportBot.Core.Triage;

namespace SupportBot.Core.Content;

/// <summary>
/// Source-generated JSON for prompts/. Comments and trailing commas are allowed because admins edit these files
/// by hand; unknown members are rejected so a misspelt key is an error, not silently ignored content.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(RedFlagList))]
[JsonSerializable(typeof(ReflectionTheme))]
[JsonSerializable(typeof(ComplaintGuide))]
[JsonSerializable(typeof(IReadOnlyList<Profession>))]
[JsonSerializable(typeof(CrisisDirectory))]
[JsonSerializable(typeof(TriageVocabulary))]
[JsonSerializable(typeof(TriageModelFile))]
[JsonSerializable(typeof(Messages))]
[JsonSerializable(typeof(BoundariesGuide))]
[JsonSerializable(typeof(CompanionText))]
[JsonSerializable(typeof(SnippetBook))]
internal sealed partial class ContentJson : JsonSerializerContext;
