using Kairos.Cli;

return await KairosCli.RunAsync(args, Console.Out, Console.Error);
