using CometChat.Core;

namespace CometChat;

/// <summary>
/// The server's operator commands, run instead of serving: <c>hash-password [name]</c> reads a password from
/// standard input (a terminal does not echo it) and prints its PBKDF2 hash for Chat:Auth:Passwords; <c>key</c>
/// prints the signing key (<see cref="KeyCommand"/>).
/// </summary>
internal static class ChatCommands
{
    /// <summary>The exit code when <paramref name="args"/> name a command, else null (serve).</summary>
    public static int? TryRun(string[] args) => args switch
    {
        ["hash-password", .. var rest] => HashPassword(rest),
        [KeyCommand.Name, .. var settings] => KeyCommand.Run(settings),
        _ => null,
    };

    private static int HashPassword(string[] args)
    {
        var name = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal));
        if (name is not null && !Names.TryNormalize(name, out name))
        {
            Console.Error.WriteLine($"'{args[0]}' is not a valid user name.");
            return 2;
        }
        // The same configuration the server reads, so Chat:Auth:HashIterations applies.
        var config = new ConfigurationBuilder().AddJsonFile("appsettings.json", optional: true).AddEnvironmentVariables()
            .AddCommandLine([.. args.Where(a => a.StartsWith("--", StringComparison.Ordinal))]).Build();
        var iterations = config.GetSection(ChatOptions.Section).Get<ChatOptions>()?.Auth.HashIterations ?? new ChatOptions().Auth.HashIterations;

        if (!Console.IsInputRedirected) Console.Error.Write("Password: ");
        var password = ReadPassword();
        if (string.IsNullOrEmpty(password))
        {
            Console.Error.WriteLine("No password given (type it, or pipe it on standard input).");
            return 2;
        }
        var hash = PasswordHash.Create(password, iterations);
        Console.WriteLine(hash);
        Console.Error.WriteLine(name is null
            ? "Put it in Chat:Auth:Passwords under the agent's name."
            : $"In appsettings.json: \"Chat\": {{ \"Auth\": {{ \"Passwords\": {{ \"{name}\": \"{hash}\" }} }} }}  (or the environment: Chat__Auth__Passwords__{name}='{hash}')");
        return 0;
    }

    private static string? ReadPassword()
    {
        if (Console.IsInputRedirected) return Console.In.ReadLine();
        var chars = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace) { if (chars.Length > 0) chars.Length--; }
            else chars.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return chars.ToString();
    }
}
