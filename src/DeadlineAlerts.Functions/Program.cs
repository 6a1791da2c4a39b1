using DeadlineAlerts.Functions;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

// The isolated worker: all behaviour lives in DeadlineAlerts.App, assembled by AddDeadlineAlerts, the same
// call the CLI makes. Function classes only adapt triggers to those services. AddDeadlineAlertsFunctions adds
// Application Insights (worker logs sent directly, Information included) on top.
var builder = FunctionsApplication.CreateBuilder(args);
builder.Services.AddDeadlineAlertsFunctions(builder.Configuration);
builder.Build().Run();
