using CometChat.Core;

namespace CometChat;

/// <summary>
/// <c>CometChat key [--setting=value ...]</c>: prints the token signing key the server uses with these settings
/// (Chat:Auth:Key, or the key generated at first start and kept in the database; generated now if the database
/// has none yet), base64 on standard output so a script can take it, and where it came from on standard error.
/// A shop mints tokens for its customers with it (README, "Tokens, and minting them for your own users").
/// </summary>
internal static class KeyCommand
{
    public const string Name = "key";

    public static int Run(string[] args)
    {
        // The server's own composition reads the same appsettings.json, environment and switches; nothing listens.
        var app = ChatApp.Build(["--Logging:LogLevel:Default=Warning", .. args]);
        app.Services.GetRequiredService<FeedHead>(); // opens (and migrates) the database, as the server's start does
        var tokens = app.Services.GetRequiredService<TokenService>();
        Console.Out.WriteLine(tokens.KeyBase64);
        Console.Error.WriteLine(tokens.KeySource switch
        {
            SigningKeySource.Configured => $"From Chat:Auth:Key; fingerprint {tokens.Fingerprint}.",
            SigningKeySource.GeneratedNow => $"Generated now and kept in the database (the server had not started on it yet); fingerprint {tokens.Fingerprint}.",
            _ => $"Generated at the server's first start and kept in the database; fingerprint {tokens.Fingerprint}.",
        } + " Keep it secret: whoever has it can sign in as anyone.");
        return 0;
    }

    /// <summary>How to run this command for the process that is running now: <c>dotnet path/CometChat.dll key</c> or the app host's path.</summary>
    public static string Invocation()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        var dll = typeof(KeyCommand).Assembly.Location;
        return Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? $"dotnet {dll} {Name}"
            : $"{process} {Name}";
    }
}
