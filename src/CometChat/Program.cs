using CometChat;

var app = ChatApp.Build(args);
app.Run();
