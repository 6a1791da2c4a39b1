using System.Collections.Specialized;
using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace DeadlineAlerts.Functions.Tests;

// The Functions host cannot run on this machine, so these stand in for the worker's HTTP types: just enough
// to carry a method, URL, headers and body into a function and its answer out.

internal sealed class TestFunctionContext : FunctionContext
{
    public override string InvocationId => "test";
    public override string FunctionId => "test";
    public override TraceContext TraceContext => null!;
    public override BindingContext BindingContext => null!;
    public override RetryContext RetryContext => null!;
    public override IServiceProvider InstanceServices { get; set; } = null!;
    public override FunctionDefinition FunctionDefinition => null!;
    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
    public override IInvocationFeatures Features => null!;
}

internal sealed class TestHttpRequest(string method, string url, string? body = null, IDictionary<string, string>? headers = null)
    : HttpRequestData(new TestFunctionContext())
{
    public override Stream Body { get; } = new MemoryStream(Encoding.UTF8.GetBytes(body ?? ""));
    public override HttpHeadersCollection Headers { get; } = new(headers?.Select(h => new KeyValuePair<string, string>(h.Key, h.Value)) ?? []);
    public override IReadOnlyCollection<IHttpCookie> Cookies => [];
    public override Uri Url { get; } = new(url);
    public override IEnumerable<ClaimsIdentity> Identities => [];
    public override string Method { get; } = method;
    public override HttpResponseData CreateResponse() => new TestHttpResponse(FunctionContext);
}

internal sealed class TestHttpResponse(FunctionContext context) : HttpResponseData(context)
{
    public override HttpStatusCode StatusCode { get; set; }
    public override HttpHeadersCollection Headers { get; set; } = new();
    public override Stream Body { get; set; } = new MemoryStream();
    public override HttpCookies Cookies => null!;

    public string BodyText => Encoding.UTF8.GetString(((MemoryStream)Body).ToArray());
    public string? Header(string name) => Headers.TryGetValues(name, out var v) ? string.Join(", ", v) : null;
}
