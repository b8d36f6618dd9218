using System.CommandLine;
using FaceKit.Cli.Commands;
using FaceKit.Core.Errors;

namespace FaceKit.Cli;

/// <summary>Builds the `facekit` command tree and maps every failure to the contract's exit codes.</summary>
public static class FaceKitCli
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("FaceKit: face detection, verification and identification on real models");
        GlobalOptions.AddTo(root);
        var holder = new ContextHolder(stdout, stderr);
        foreach (var command in new[]
                 {
                     ModelsCommand.Build(holder), DetectCommand.Build(holder), EmbedCommand.Build(holder),
                     VerifyCommand.Build(holder), LivenessCommand.Build(holder), EnrollCommand.Build(holder), IdentifyCommand.Build(holder),
                     GalleryCommand.Build(holder), BenchCommand.Build(holder), EvalCommand.Build(holder), CalibrateCommand.Build(holder), ProfileCommand.Build(holder), ServeCommand.Build(holder), TrainCommand.Build(holder),
                     ExportCommand.Build(holder),
                     QuantizeCommand.Build(holder),
                 })
            root.Subcommands.Add(command);

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            var message = parse.UnmatchedTokens.Count > 0 ? $"unknown command or argument '{parse.UnmatchedTokens[0]}'" : parse.Errors[0].Message;
            stderr.WriteLine($"facekit: {message} (see 'facekit --help')");
            return ExitCodes.BadInput;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = stdout, Error = stderr });
        }
        catch (FaceKitException e)
        {
            stderr.WriteLine($"facekit: {OneLine(e.Message)}");
            return e.IsUserError ? ExitCodes.BadInput : ExitCodes.Internal;
        }
        catch (Exception e) when (e is OperationCanceledException)
        {
            stderr.WriteLine("facekit: cancelled");
            return ExitCodes.Internal;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"facekit: internal error: {OneLine(e.GetType().Name + ": " + e.Message)}");
            return ExitCodes.Internal;
        }
        finally
        {
            holder.Dispose();
        }
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}

/// <summary>Creates the per-invocation context lazily, so parsing alone loads no model.</summary>
public sealed class ContextHolder(TextWriter stdout, TextWriter stderr) : IDisposable
{
    private CliContext? _context;

    public CliContext For(ParseResult parse) => _context ??= new CliContext(parse, stdout, stderr);

    public void Dispose() => _context?.Dispose();
}
