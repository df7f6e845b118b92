using CometChat.Tests.Contract;
using CometChat.Tests.Core;
using CometChat.Tests.Features;
using CometChat.Tests.Infrastructure;
using CometChat.Tests.Transports;

namespace CometChat.Tests.Scaleout;

// The contract suite, the chat features, the long-poll tests and the core feed tests again, each on a fresh PostgreSQL
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

public sealed class HistoryOnPostgresTests : HistoryTests
{
    protected override Dictionary<string, string?> Backend => TestServices.OnPostgres;
}

public sealed class PresenceOnPostgresTests : PresenceTests
{
    protected override Dictionary<string, string?> Backend => TestServices.OnPostgres;
}

public sealed class RoomOnPostgresTests : RoomTests
{
    protected override Dictionary<string, string?> Backend => TestServices.OnPostgres;
}

public sealed class SupportDeskOnPostgresTests : SupportDeskTests
{
    protected override Dictionary<string, string?> Backend => TestServices.OnPostgres;
}

public sealed class ReservedNameOnPostgresTests : Security.ReservedNameTests
{
    protected override Dictionary<string, string?> Backend => TestServices.OnPostgres;
}

public sealed class NameOnPostgresTests : Security.NameTests
{
    protected override Dictionary<string, string?> Backend => TestServices.OnPostgres;
}

public sealed class ValidationSlipOnPostgresTests : Security.ValidationSlipTests
{
    protected override Dictionary<string, string?> Backend => TestServices.OnPostgres;
}

public sealed class SessionEndOnPostgresTests : Security.SessionEndTests
{
    protected override Dictionary<string, string?> Backend => TestServices.OnPostgres;
}

public sealed class DeskOnPostgresTests : DeskTests
{
    protected override Dictionary<string, string?> Backend => TestServices.OnPostgres;
}
