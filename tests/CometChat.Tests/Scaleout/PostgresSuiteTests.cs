using CometChat.Tests.Contract;
using CometChat.Tests.Core;
using CometChat.Tests.Infrastructure;
using CometChat.Tests.Transports;

namespace CometChat.Tests.Scaleout;

// The contract suite, the long-poll tests and the core feed tests again, each on a fresh PostgreSQL
// database (Chat:Store=postgres): the same API must hold whichever store is underneath.

public sealed class AuthContractOnPostgresTests : AuthContractTests
{
    protected override Dictionary<string, string?> Backend => TestServices.OnPostgres;
}

public sealed class MessageContractOnPostgresTests : MessageContractTests
{
    protected override Dictionary<string, string?> Backend => TestServices.OnPostgres;
}

public sealed class ReceiptAndTypingOnPostgresTests : ReceiptAndTypingTests
{
    protected override Dictionary<string, string?> Backend => TestServices.OnPostgres;
}

public sealed class LongPollOnPostgresTests : LongPollTests
{
    protected override Dictionary<string, string?> Backend => TestServices.OnPostgres;
}

public sealed class FeedSubscriptionOnPostgresTests : FeedSubscriptionTests
{
    protected override Dictionary<string, string?> Settings => TestServices.OnPostgres;
}
