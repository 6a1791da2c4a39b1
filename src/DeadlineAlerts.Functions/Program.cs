using DeadlineAlerts.Functions;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

// The isolated worker: all behaviour lives in DeadlineAlerts.App, assembled by AddDeadlineAlerts, the same
// call the CLI makes. Function classes only adapt triggers to those services. AddDeadlineAlertsFunctions adds
// OpenTelemetry (traces, metrics, logs; exporters as configured, docs/telemetry.md) on top.
var builder = FunctionsApplication.CreateBuilder(args);
builder.Services.AddDeadlineAlertsFunctions(builder.Configuration);
builder.Build().Run();
