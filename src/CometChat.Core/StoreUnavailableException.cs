namespace CometChat.Core;

/// <summary>The store cannot serve now (locked, read-only, disk full, gone): a 503 the client may retry.</summary>
internal sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
