using CometChat;

if (args is [KeyCommand.Name, .. var settings]) return KeyCommand.Run(settings);
return await ChatApp.RunAsync(args);
