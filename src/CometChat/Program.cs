using CometChat;

if (ChatCommands.TryRun(args) is { } exitCode) return exitCode;
var app = ChatApp.Build(args);
app.Run();
return 0;
