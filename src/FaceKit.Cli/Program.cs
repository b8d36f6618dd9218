using FaceKit.Cli;

return FaceKitCli.Run(args, Console.Out, Console.Error);
