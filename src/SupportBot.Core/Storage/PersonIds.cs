using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace SupportBot.Core.Storage;

/// <summary>
/// How a platform user id is kept at rest: a keyed hash to look rows up by, and, where the bot must write to the
/// person again, the address sealed with the storage key. Without the key the database says neither who wrote
/// nor who was flagged; a plain hash would not do, because platform ids are few enough to enumerate.
/// </summary>
public sealed class PersonIds(MessageCipher cipher)
{
    private readonly byte[] _hashKey = cipher.DeriveKey("person-id");

    /// <summary>The lookup key of an address: HMAC-SHA256 under a key derived from the storage key, base64url.</summary>
    public string Key(Address person) => Key(person.ToString());

    /// <summary>The same for any identifier in text: the stored form of an address ("Discord:123") or an event id.</summary>
    public string Key(string identifier)
    {
        // Several keys per event (its id, the person): on the stack, so the only allocation is the key itself.
        var length = Encoding.UTF8.GetMaxByteCount(identifier.Length);
        var rented = length > 256 ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            Span<byte> utf8 = rented is null ? stackalloc byte[256] : rented;
            var written = Encoding.UTF8.GetBytes(identifier, utf8);
            Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(_hashKey, utf8[..written], hash);
            return Base64Url.EncodeToString(hash);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The address, encrypted and bound to its lookup key so that it cannot be moved to another row.</summary>
    public byte[] Seal(Address person) => cipher.Encrypt(person.ToString(), Context(Key(person)));

    public Address Open(byte[] sealedAddress, string key) => Address.Parse(cipher.Decrypt(sealedAddress, Context(key)));

    /// <summary>True for a value written before ids were hashed: the plain "Platform:id" form has a colon, a key never does.</summary>
    public static bool IsPlain(string stored) => stored.Contains(':', StringComparison.Ordinal);

    private static string Context(string key) => "address:" + key;
}
