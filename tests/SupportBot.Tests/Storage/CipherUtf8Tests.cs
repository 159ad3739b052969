using System.Security.Cryptography;
using System.Text;
using SupportBot.Core.Storage;

namespace SupportBot.Tests.Storage;

public sealed class CipherUtf8Tests
{
    // The outbox seals its rows from the serializer's UTF-8; rows sealed either way must open the same, under the same purpose only.
    [Theory]
    [InlineData("")]
    [InlineData("words a survivor wrote")]
    [InlineData("he said it was “our secret” — I’m not sure 😔")]
    public void A_value_sealed_from_its_utf8_bytes_opens_as_the_same_text_and_only_under_its_own_purpose(string plain)
    {
        using var cipher = new MessageCipher(RandomNumberGenerator.GetBytes(32));
        var longContext = "outbox:" + new string('x', 400);

        foreach (var context in new[] { "outbox", longContext })
        {
            var fromBytes = cipher.Encrypt(Encoding.UTF8.GetBytes(plain), context);
            var fromText = cipher.Encrypt(plain, context);

            Assert.Equal(plain, cipher.Decrypt(fromBytes, context));
            Assert.Equal(plain, cipher.Decrypt(fromText, context));
            Assert.Equal(fromText.Length, fromBytes.Length);
            Assert.ThrowsAny<CryptographicException>(() => cipher.Decrypt(fromBytes, context + "!"));
        }
    }
}
