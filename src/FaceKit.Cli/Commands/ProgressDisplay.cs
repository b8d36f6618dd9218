using FaceKit.Evaluation.Extraction;
using Spectre.Console;

namespace FaceKit.Cli.Commands;

/// <summary>A progress bar with ETA on the terminal's stderr; silent when stderr is not a terminal or --json is set.</summary>
public static class ProgressDisplay
{
    public static T Run<T>(CliContext ctx, string label, Func<IProgress<EvaluationProgress>?, T> work)
    {
        if (ctx.Json || Console.IsErrorRedirected) return work(null);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        T result = default!;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(p =>
            {
                var task = p.AddTask(label);
                result = work(new Progress<EvaluationProgress>(e =>
                {
                    task.MaxValue = Math.Max(1, e.Total);
                    task.Value = e.Done;
                }));
                task.Value = task.MaxValue;
            });
        return result;
    }
}
