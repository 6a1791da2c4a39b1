using System.Collections.Specialized;
using System.Net;
using System.Security.Claims;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace DeadlineAlerts.Functions.Tests.Support;

/// <summary>
/// What the Functions host hands an HTTP-triggered function: a request and a way to create the response. The
/// worker's own types are abstract; these carry only what the function reads and writes.
/// </summary>
public sealed class TestHttpRequest(string method, Uri url, IServiceProvider services, string? body = null, IDictionary<string, string>? headers = null)
    : HttpRequestData(new TestFunctionContext(services))
{
    public override Stream Body { get; } = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body ?? ""));
    /// <summary>A body comes as JSON (as from curl -H "Content-Type: application/json") unless the test names a type.</summary>
    public override HttpHeadersCollection Headers { get; } = new(
        (headers ?? new Dictionary<string, string>()).Select(h => new KeyValuePair<string, string>(h.Key, h.Value))
        .Concat(body is not null && headers?.Keys.Any(k => k.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) != true
            ? [new KeyValuePair<string, string>("Content-Type", "application/json")] : []));
    public override IReadOnlyCollection<IHttpCookie> Cookies { get; } = [];
    public override Uri Url { get; } = url;
    public override IEnumerable<ClaimsIdentity> Identities { get; } = [];
    public override string Method { get; } = method;
    public override NameValueCollection Query => System.Web.HttpUtility.ParseQueryString(Url.Query);
    public override HttpResponseData CreateResponse() => new TestHttpResponse(FunctionContext);
}

public sealed class TestHttpResponse(FunctionContext context) : HttpResponseData(context)
{
    public override HttpStatusCode StatusCode { get; set; }
    public override HttpHeadersCollection Headers { get; set; } = [];
    public override Stream Body { get; set; } = new MemoryStream();
    public override HttpCookies Cookies => throw new NotSupportedException();

    public string BodyText => System.Text.Encoding.UTF8.GetString(((MemoryStream)Body).ToArray());
}

public sealed class TestFunctionContext(IServiceProvider services) : FunctionContext
{
    public override string InvocationId { get; } = Guid.NewGuid().ToString();
    public override string FunctionId { get; } = "test";
    public override TraceContext TraceContext => throw new NotSupportedException();
    public override BindingContext BindingContext => throw new NotSupportedException();
    public override RetryContext RetryContext => throw new NotSupportedException();
    public override IServiceProvider InstanceServices { get; set; } = services;
    public override FunctionDefinition FunctionDefinition => throw new NotSupportedException();
    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
    public override IInvocationFeatures Features => throw new NotSupportedException();
}
