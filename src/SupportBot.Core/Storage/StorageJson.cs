using System.Text.Json.Serialization;

namespace SupportBot.Core.Storage;

/// <summary>
/// The inbox's and the outbox's payloads, serialized by code generated at build time: the same JSON as the reflection
/// serializer writes with default options (rows written before read back unchanged), and it works in the Native AOT build.
/// </summary>
[JsonSerializable(typeof(StoredInbound))]
[JsonSerializable(typeof(Reply))]
internal sealed partial class StorageJson : JsonSerializerContext;
