using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace CometChat.Core;

/// <summary>A file to serve: its record, and its content (from the store or the folder).</summary>
internal sealed record FileContent(StoredFile File, byte[] Content);

/// <summary>
/// Files and images (API.md §8). An upload gets an unguessable id, a cleaned name (<see cref="FileNames"/>) and the
/// type its content says (<see cref="FileTypes"/>); it is kept in the store (both engines, so every node serves it) or,
/// with Chat:Files:Folder, as a file named by its id in that folder. Chat:Files:MaxBytes bounds a file and
/// Chat:Files:PerUserPerDay the uploads of one user in any 24 hours, counted in the store (so across nodes and
/// restarts). A file is sent once, in one message; only its uploader and the users who may read that message may
/// fetch it (404 to everyone else: not even whether it exists). A recall deletes it.
/// </summary>
internal sealed class ChatFiles(MessageWriter writer, IConversationStore store, IMessageStore messages, IUserStore users, IOptions<ChatOptions> options, TimeProvider time)
{
    private const long Day = 86_400_000;
    private readonly ChatOptions.FilesSection _o = options.Value.Files;

    public long MaxBytes => _o.MaxBytesValue;

    /// <summary>A well-formed file id (what <see cref="NewId"/> makes), or a 400 naming 'file'.</summary>
    public static string CheckId(string id) =>
        id.Length is > 0 and <= 32 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? id
            : throw new ChatException(ChatError.BadRequest("'file' must be the id of a file you uploaded (POST /api/files)."));

    /// <summary>Inside the writer: <paramref name="owner"/>'s file <paramref name="id"/>, not yet sent, or the refusal naming 'file'.</summary>
    public static StoredFile Unsent(IWrites tx, string owner, string id)
    {
        var file = tx.Files.Get(id);
        if (file is null || file.Owner != owner) throw new ChatException(ChatError.NotFound($"'file': you have no file '{id}'; upload it first (POST /api/files)."));
        if (file.Mid is { } mid) throw new ChatException(ChatError.Conflict($"'file': file '{id}' was sent already, in message {mid}; upload it again to send it again."));
        return file;
    }

    /// <summary>The refusal of an upload over Chat:Files:MaxBytes (nothing is stored).</summary>
    public ChatException TooLarge() =>
        new(ChatError.TooLarge($"'file' is larger than {MaxBytes} bytes, the limit (Chat:Files:MaxBytes)."));

    public async Task<StoredFile> StoreAsync(string owner, string? clientName, ReadOnlyMemory<byte> content)
    {
        if (content.Length > MaxBytes) throw TooLarge();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var file = new StoredFile(NewId(), owner, FileNames.Clean(clientName), content.Length, FileTypes.Detect(content.Span), now);
        var path = _o.Folder is { } folder ? Path.Combine(folder, file.Id) : null;
        if (path is not null)
        {
            Directory.CreateDirectory(_o.Folder!);
            // Written whole under a temporary name, then renamed: a reader never meets half a file.
            await File.WriteAllBytesAsync(path + ".part", content.ToArray());
            File.Move(path + ".part", path, overwrite: true);
        }
        try
        {
            await writer.RunAsync(tx =>
            {
                var (count, oldest) = tx.Files.UploadedSince(owner, now - Day);
                if (count >= _o.PerUserPerDay)
                {
                    var retry = (int)Math.Max(1, ((oldest ?? now) + Day - now + 999) / 1000);
                    throw new ChatException(ChatError.RateLimited(
                        $"'file': {count} files in 24 hours is the limit (Chat:Files:PerUserPerDay); retry after {retry} s.")) { RetryAfterSeconds = retry };
                }
                tx.Files.Add(file, path is null ? content.ToArray() : null);
                return true;
            });
        }
        catch
        {
            if (path is not null) File.Delete(path); // nothing refers to it: refused or not committed
            throw;
        }
        return file;
    }

    /// <summary>File <paramref name="id"/> with its content, when <paramref name="user"/> may have it; else a 404.</summary>
    public async Task<FileContent> OpenAsync(string user, string id, CancellationToken ct)
    {
        var file = await store.GetFileAsync(id, ct);
        if (file is null || !await MayReadAsync(user, file, ct)) throw NotFound(id);
        var content = _o.Folder is { } folder ? await ReadFolderAsync(Path.Combine(folder, file.Id), ct) : await store.GetFileContentAsync(id, ct);
        return new FileContent(file, content ?? throw NotFound(id));
    }

    private static ChatException NotFound(string id) => new(ChatError.NotFound($"'id': there is no file '{id}' for you."));

    private async Task<bool> MayReadAsync(string user, StoredFile file, CancellationToken ct)
    {
        if (file.Owner == user) return true;
        if (file.Mid is not { } mid || await messages.GetAsync(mid, ct) is not { } m) return false;
        if (await store.MayReadAsync(user, m, ct)) return true;
        // An agent reads the backlog of a session assigned to them (it reached them through history, not their feed).
        return m.Sid is { } sid && await users.GetSessionAsync(sid, ct) is { } session && session.Agent == user;
    }

    private static async Task<byte[]?> ReadFolderAsync(string path, CancellationToken ct)
    {
        try { return await File.ReadAllBytesAsync(path, ct); }
        catch (FileNotFoundException) { return null; }
    }

    public void DeleteFromFolder(string id)
    {
        if (_o.Folder is { } folder) File.Delete(Path.Combine(folder, id));
    }

    private static string NewId() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
