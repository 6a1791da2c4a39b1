// dla reads its settings from environment variables, which are process-wide: tests that set them must not
// run beside each other (one test restoring DeadlineAlerts__Delivery__AllowHosts broke another's import).
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
