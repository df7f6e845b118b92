namespace CometChat.Http;

/// <summary>
/// Problem details the framework writes by itself (a 404 for an unknown path, a 405 for a wrong method) get
/// the same <c>code</c> as ours, and none gets a <c>traceId</c>: API.md §1 fixes the shape.
/// </summary>
internal static class ProblemCodes
{
    public static void Customize(ProblemDetailsContext ctx)
    {
        var problem = ctx.ProblemDetails;
        problem.Extensions.Remove("traceId");
        if (problem.Extensions.ContainsKey("code")) return;
        var code = problem.Status switch
        {
            404 => "not_found",
            413 => "too_large",
            429 => "rate_limited",
            503 => "unavailable",
            >= 400 and < 500 => "bad_request",
            _ => "unavailable",
        };
        problem.Extensions["code"] = code;
        problem.Type = "https://cometchat.dev/errors/" + code;
        if (problem.Status == 405) problem.Detail ??= $"{ctx.HttpContext.Request.Method} is not answered at {ctx.HttpContext.Request.Path}.";
        if (problem.Status == 404) problem.Detail ??= $"Nothing is at {ctx.HttpContext.Request.Path}.";
    }
}
