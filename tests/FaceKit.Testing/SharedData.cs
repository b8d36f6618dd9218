namespace FaceKit.Testing;

/// <summary>
/// Finds <c>../shared/data</c> (the real face photographs beside the repository) from wherever the
/// test assembly runs. Null when absent: a user's fresh clone; CI always has it.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string?> Root = new(Locate);

    public static string? Directory => Root.Value;

    public static bool Available => Root.Value is not null;

    public const string MissingReason = "../shared/data (real face photographs) is not beside this checkout";

    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([Root.Value ?? throw new InvalidOperationException(MissingReason), .. parts]);

    /// <summary>The repository root (the folder holding FaceKit.slnx).</summary>
    public static string RepositoryRoot { get; } = LocateRepository();

    private static string? Locate()
    {
        var repo = RepositoryRoot;
        var candidate = System.IO.Path.GetFullPath(System.IO.Path.Combine(repo, "..", "shared", "data"));
        return System.IO.Directory.Exists(System.IO.Path.Combine(candidate, "unit")) ? candidate : null;
    }

    private static string LocateRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "FaceKit.slnx"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
    }
}
