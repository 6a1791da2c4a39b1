// OpenTelemetry listens to ActivitySources, Meters and HttpClient by name, process-wide, so two worker containers
// alive at once would see each other's spans and measurements (TelemetryTests counts them exactly). These tests
// build several: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
