using DeadlineAlerts.App.Hosting;
using DeadlineAlerts.Functions.Functions.Api;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The isolated worker: all behaviour lives in DeadlineAlerts.App, assembled by AddDeadlineAlerts, the same
// call the CLI makes. Function classes only adapt triggers to those services.
var builder = FunctionsApplication.CreateBuilder(args);
builder.Services.AddDeadlineAlerts(builder.Configuration);
builder.Services.AddSingleton<HttpApiAdapter>();
builder.Build().Run();
