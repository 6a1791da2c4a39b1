// The Application Insights SDK listens to HttpClient and logging through process-wide DiagnosticSources, so
// two worker containers alive at once can see each other's telemetry. These tests build several: run them one
// at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
