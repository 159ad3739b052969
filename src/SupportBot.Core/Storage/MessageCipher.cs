using System.Security.Cryptography;
using System.Text;

namespace SupportBot.Core.Storage;

/// <summary>
/// AES-256-GCM for everything a person wrote. The stored form is nonce | tag | ciphertext. The associated data
/// binds a ciphertext to its row's purpose, so a body copied into another conversation fails to decrypt.
/// </summary>
public sealed class MessageCipher : IDisposable
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly AesGcm _aes;

    public MessageCipher(byte[] key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("Storage:EncryptionKey must be 32 bytes (base64).", nameof(key));
        }

        _aes = new AesGcm(key, TagSize);
    }

    public byte[] Encrypt(string plaintext, string associatedData)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        _aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(associatedData));
        return sealedBytes;
    }

    public string Decrypt(byte[] sealedBytes, string associatedData)
    {
        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("The stored value is too short to be a sealed message.");
        }

        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        _aes.Decrypt(
            sealedBytes.AsSpan(0, NonceSize),
            sealedBytes.AsSpan(NonceSize + TagSize),
            sealedBytes.AsSpan(NonceSize, TagSize),
            plain,
            Encoding.UTF8.GetBytes(associatedData));
        return Encoding.UTF8.GetString(plain);
    }

    public void Dispose() => _aes.Dispose();

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
