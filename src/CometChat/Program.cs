using CometChat;

if (ChatCommands.TryRun(args) is { } exitCode) return exitCode;
return await ChatApp.RunAsync(args);
