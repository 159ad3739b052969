using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace SupportBot.Core.Storage;

/// <summary>
/// AES-256-GCM for everything a person wrote. The stored form is nonce | tag | ciphertext. The associated data
/// binds a ciphertext to its row's purpose, so a body copied into another conversation fails to decrypt.
/// Safe to call from many threads at once: an <see cref="AesGcm"/> instance is not, so each call takes one for
/// itself alone from a small pool and gives it back after. Making one per call (an OpenSSL context each time) cost
/// several times the sealing itself, and every durable DM seals three values.
/// </summary>
public sealed class MessageCipher : IDisposable
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    /// <summary>Room on the stack for the associated data's UTF-8; a longer one is encoded into an array.</summary>
    private const int MaxContextBytes = 256;

    /// <summary>Instances kept for reuse; more than the threads that seal at once is never needed.</summary>
    private const int PoolSize = 32;

    private readonly byte[] _key;
    private readonly ConcurrentQueue<AesGcm> _pool = new();
    private int _pooled;
    private volatile bool _disposed;

    public MessageCipher(byte[] key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("Storage:EncryptionKey must be 32 bytes (base64).", nameof(key));
        }

        _key = (byte[])key.Clone();
    }

    public byte[] Encrypt(string plaintext, string associatedData)
    {
        // Encoded into a pooled buffer, wiped before it goes back: the words are not left in a fresh array per call.
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(plaintext.Length));
        var length = Encoding.UTF8.GetBytes(plaintext, buffer);
        try
        {
            return Encrypt(buffer.AsSpan(0, length), associatedData);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer.AsSpan(0, length));
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Seals text that is UTF-8 already (a row serialized to JSON): the same stored form as the string overload.</summary>
    public byte[] Encrypt(ReadOnlySpan<byte> plaintext, string associatedData)
    {
        var sealedBytes = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        Span<byte> context = stackalloc byte[MaxContextBytes];
        var aes = Rent();
        try
        {
            aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), Context(associatedData, context));
        }
        finally
        {
            Return(aes);
        }

        return sealedBytes;
    }

    public string Decrypt(byte[] sealedBytes, string associatedData)
    {
        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("The stored value is too short to be a sealed message.");
        }

        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        var aes = Rent();
        try
        {
            aes.Decrypt(
                sealedBytes.AsSpan(0, NonceSize),
                sealedBytes.AsSpan(NonceSize + TagSize),
                sealedBytes.AsSpan(NonceSize, TagSize),
                plain,
                Context(associatedData, stackalloc byte[MaxContextBytes]));
        }
        finally
        {
            // A failed decryption leaves the instance as good as before: it holds only the key.
            Return(aes);
        }

        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>The associated data as UTF-8, in <paramref name="room"/> when it fits (every context the stores use does).</summary>
    private static ReadOnlySpan<byte> Context(string associatedData, Span<byte> room) =>
        Encoding.UTF8.GetMaxByteCount(associatedData.Length) <= room.Length
            ? room[..Encoding.UTF8.GetBytes(associatedData, room)]
            : Encoding.UTF8.GetBytes(associatedData);

    /// <summary>A key for another purpose (person ids, the key check), derived so that it reveals nothing of this one.</summary>
    public byte[] DeriveKey(string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, 32, info: Encoding.UTF8.GetBytes("supportbot/" + purpose));

    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_key);
        while (_pool.TryDequeue(out var aes))
        {
            aes.Dispose();
        }
    }

    private AesGcm Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_pool.TryDequeue(out var aes))
        {
            Interlocked.Decrement(ref _pooled);
            return aes;
        }

        return new AesGcm(_key, TagSize);
    }

    /// <summary>Back to the pool for the next call, unless the pool is full or the cipher was disposed meanwhile.</summary>
    private void Return(AesGcm aes)
    {
        if (_disposed)
        {
            aes.Dispose();
            return;
        }

        if (Interlocked.Increment(ref _pooled) > PoolSize)
        {
            Interlocked.Decrement(ref _pooled);
            aes.Dispose();
            return;
        }

        _pool.Enqueue(aes);
        while (_disposed && _pool.TryDequeue(out var left))
        {
            // Disposed while this one went back: Dispose may have emptied the pool before the enqueue.
            left.Dispose();
        }
    }

    /// <summary>
    /// The configured key, or the key file beside the database, created on first run with owner-only permissions.
    /// </summary>
    public static byte[] ResolveKey(StorageOptions options)
    {
        if (options.EncryptionKey.Length > 0)
        {
            try
            {
                var key = Convert.FromBase64String(options.EncryptionKey);
                return key.Length == 32 ? key : throw new InvalidOperationException("Storage:EncryptionKey must decode to exactly 32 bytes.");
            }
            catch (FormatException)
            {
                throw new InvalidOperationException("Storage:EncryptionKey is not valid base64.");
            }
        }

        var keyFile = KeyFilePath(options);
        if (File.Exists(keyFile))
        {
            var key = Convert.FromBase64String(File.ReadAllText(keyFile).Trim());
            return key.Length == 32 ? key : throw new InvalidOperationException($"The key file {keyFile} does not hold a 32-byte key.");
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(keyFile))!);
        var created = RandomNumberGenerator.GetBytes(32);
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(keyFile, Encoding.ASCII, fileOptions))
        {
            writer.Write(Convert.ToBase64String(created));
        }

        return created;
    }

    public static string KeyFilePath(StorageOptions options) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(options.Path)) ?? ".", "supportbot.key");
}
