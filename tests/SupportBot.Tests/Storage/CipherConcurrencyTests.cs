using System.Collections.Concurrent;
using System.Security.Cryptography;
using SupportBot.Core.Storage;

namespace SupportBot.Tests.Storage;

public sealed class CipherConcurrencyTests
{
    [Fact]
    public async Task One_cipher_sealing_and_opening_from_four_threads_at_once_opens_every_value_again()
    {
        using var cipher = new MessageCipher(RandomNumberGenerator.GetBytes(32));
        var sealedValues = new ConcurrentBag<(string Plain, string Context, byte[] Sealed)>();
        var failures = 0;
        using var start = new ManualResetEventSlim();

        var threads = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            start.Wait();
            for (var i = 0; i < 5_000; i++)
            {
                var plain = $"thread {t} message {i}: words a survivor wrote";
                var context = $"message:{t}-{i}";
                try
                {
                    var sealedValue = cipher.Encrypt(plain, context);
                    if (cipher.Decrypt(sealedValue, context) != plain)
                    {
                        Interlocked.Increment(ref failures);
                    }

                    sealedValues.Add((plain, context, sealedValue));
                }
                catch (CryptographicException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToList();
        start.Set();
        await Task.WhenAll(threads);

        Assert.Equal(0, failures);
        Assert.Equal(20_000, sealedValues.Count);
        Assert.All(sealedValues, v => Assert.Equal(v.Plain, cipher.Decrypt(v.Sealed, v.Context)));
    }

    [Fact]
    public void A_value_that_fails_to_open_leaves_the_cipher_opening_every_other_value()
    {
        using var cipher = new MessageCipher(RandomNumberGenerator.GetBytes(32));
        var sealedValue = cipher.Encrypt("words a survivor wrote", "message:1");

        for (var i = 0; i < 100; i++)
        {
            // Moved to another row's purpose: refused, every time, and the next value still opens.
            Assert.ThrowsAny<CryptographicException>(() => cipher.Decrypt(sealedValue, "message:2"));
            Assert.Equal($"value {i}", cipher.Decrypt(cipher.Encrypt($"value {i}", "message:3"), "message:3"));
        }
    }

    [Fact]
    public void A_disposed_cipher_seals_and_opens_nothing()
    {
        var cipher = new MessageCipher(RandomNumberGenerator.GetBytes(32));
        var sealedValue = cipher.Encrypt("words", "message:1");
        cipher.Dispose();

        Assert.Throws<ObjectDisposedException>(() => cipher.Encrypt("more words", "message:1"));
        Assert.Throws<ObjectDisposedException>(() => cipher.Decrypt(sealedValue, "message:1"));
    }
}
