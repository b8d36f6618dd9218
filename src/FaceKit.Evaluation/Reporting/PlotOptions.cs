namespace FaceKit.Evaluation.Reporting;

/// <summary>Pixel size of every PNG a report writes.</summary>
public sealed record PlotOptions(int Width = 800, int Height = 600);
