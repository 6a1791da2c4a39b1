using DeadlineAlerts.Cli;

return await Dla.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
