using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FaceKit.Testing;

/// <summary>
/// A throwaway PostgreSQL server for tests: initdb into a fresh temp folder, started on 127.0.0.1
/// on a free port (trust authentication, superuser <c>postgres</c>), stopped and deleted on dispose.
/// As root the server runs as the <c>postgres</c> user (PostgreSQL refuses to run as root). Uses
/// Debian's packaged binaries (<c>/usr/lib/postgresql/N/bin</c>, apt package postgresql-15); tests
/// skip when they are absent, except in CI, where the package is installed and a missing one fails.
/// </summary>
public sealed class TestPostgres : IDisposable
{
    private const string SuperUser = "postgres";
    private static readonly Lazy<string?> Bin = new(FindBin);
    private readonly string _root;
    private readonly string _data;
    private int _databases;

    public TestPostgres()
    {
        var bin = Bin.Value ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl, postgres) are not installed; CI installs Debian's postgresql-15");
        BinDirectory = bin;
        _root = Directory.CreateTempSubdirectory("facekit-pg-").FullName;
        _data = Path.Combine(_root, "data");
        try
        {
            if (IsRoot) Run("chown", [RunAsUser, _root], asServerUser: false);
            else File.SetUnixFileMode(_root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Run(Path.Combine(bin, "initdb"), ["-D", _data, "--auth=trust", "-U", SuperUser, "-E", "UTF8", "--locale=C", "--no-sync"]);
            for (int attempt = 1; ; attempt++)
            {
                // The port is free when asked; another process may take it before the server binds it.
                Port = FreePort();
                var (code, output) = TryRun(Path.Combine(bin, "pg_ctl"),
                    ["-D", _data, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60", "-o",
                     $"-c listen_addresses=127.0.0.1 -c port={Port} -c unix_socket_directories={_root}", "start"]);
                if (code == 0) break;
                if (attempt == 3) throw new InvalidOperationException($"pg_ctl start failed (exit {code}): {output}\n{ServerLog()}");
            }
        }
        catch
        {
            Delete();
            throw;
        }
    }

    /// <summary>Null when a server can be started here (or in CI, where a missing one must fail); else why tests skip.</summary>
    public static string? SkipReason =>
        Bin.Value is not null || Environment.GetEnvironmentVariable("CI") == "true"
            ? null
            : "PostgreSQL server binaries are not installed (apt-get install postgresql-15); the PostgreSQL gallery tests need initdb and pg_ctl";

    public string BinDirectory { get; }

    public int Port { get; private set; }

    /// <summary>A new empty database; its URL for FaceKit is <see cref="Url"/>.</summary>
    public string CreateDatabase()
    {
        string name = $"facekit_test_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid().ToString("N")[..8]}";
        Psql("postgres", $"CREATE DATABASE {name}");
        return name;
    }

    public string Url(string database) => $"postgres://{SuperUser}@127.0.0.1:{Port}/{database}";

    /// <summary>The same database in Npgsql's keyword form.</summary>
    public string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Username={SuperUser};Database={database}";

    /// <summary>Runs SQL with psql; returns what it printed (unaligned, tuples only).</summary>
    public string Psql(string database, string sql)
    {
        var (code, output) = TryRun(Path.Combine(BinDirectory, "psql"),
            ["-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", SuperUser, "-d", database,
             "-v", "ON_ERROR_STOP=1", "-X", "-A", "-t", "-c", sql], asServerUser: false);
        return code == 0 ? output.Trim() : throw new InvalidOperationException($"psql failed (exit {code}) on: {sql}\n{output}");
    }

    /// <summary>Stops the server at once (fast shutdown) and starts it again on the same port.</summary>
    public void Restart()
    {
        Run(Path.Combine(BinDirectory, "pg_ctl"), ["-D", _data, "-m", "fast", "-w", "stop"]);
        Run(Path.Combine(BinDirectory, "pg_ctl"),
            ["-D", _data, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60", "-o",
             $"-c listen_addresses=127.0.0.1 -c port={Port} -c unix_socket_directories={_root}", "start"]);
    }

    public void Dispose()
    {
        if (File.Exists(Path.Combine(_data, "postmaster.pid")))
            TryRun(Path.Combine(BinDirectory, "pg_ctl"), ["-D", _data, "-m", "fast", "-w", "-t", "30", "stop"]);
        Delete();
    }

    private void Delete()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private string ServerLog()
    {
        try { return File.ReadAllText(Path.Combine(_root, "server.log")); }
        catch (IOException) { return "(no server log)"; }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private const string RunAsUser = "postgres:postgres";

    private static void Run(string program, string[] args, bool asServerUser = true)
    {
        var (code, output) = TryRun(program, args, asServerUser);
        if (code != 0) throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', args)} failed (exit {code}):\n{output}");
    }

    /// <summary>Runs a program (as the postgres user when we are root and it is a server program); exit code and output.</summary>
    private static (int Code, string Output) TryRun(string program, string[] args, bool asServerUser = true)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asServerUser && IsRoot)
        {
            start.FileName = "runuser";
            foreach (var a in (string[])["-u", "postgres", "--", program, .. args]) start.ArgumentList.Add(a);
        }
        else
        {
            start.FileName = program;
            foreach (var a in args) start.ArgumentList.Add(a);
        }
        // A server started by pg_ctl inherits our output pipes unless told otherwise: -l sends its log
        // to a file, and pg_ctl itself exits once the server is up.
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + program);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} ran longer than 120 s");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The newest /usr/lib/postgresql/N/bin holding initdb, pg_ctl and postgres, else the folder of pg_ctl on PATH.</summary>
    private static string? FindBin()
    {
        static bool Complete(string dir) => new[] { "initdb", "pg_ctl", "postgres", "psql" }.All(p => File.Exists(Path.Combine(dir, p)));
        const string debian = "/usr/lib/postgresql";
        if (Directory.Exists(debian))
        {
            var best = Directory.GetDirectories(debian)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: double.TryParse(Path.GetFileName(d), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : 0))
                .Where(c => Complete(c.Dir))
                .OrderByDescending(c => c.Version)
                .Select(c => c.Dir)
                .FirstOrDefault();
            if (best is not null) return best;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var pgCtl = Path.Combine(dir, "pg_ctl");
            if (!File.Exists(pgCtl)) continue;
            var real = new FileInfo(pgCtl).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? pgCtl;
            var folder = Path.GetDirectoryName(real);
            if (folder is not null && Complete(folder)) return folder;
        }
        return null;
    }
}

/// <summary>A fact that needs a PostgreSQL server (see <see cref="TestPostgres"/>); skipped with the reason when none can be started.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        Skip = TestPostgres.SkipReason;
    }
}

/// <summary>A fact that needs a PostgreSQL server, the real models and ../shared/data.</summary>
public sealed class PostgresRealModelFactAttribute : FactAttribute
{
    public PostgresRealModelFactAttribute()
    {
        Skip = TestPostgres.SkipReason ?? TestModels.SkipReason ?? (SharedData.Available ? null : SharedData.MissingReason);
    }
}

/// <summary>
/// One <see cref="TestPostgres"/> for a whole test collection, started on first use, so a collection
/// whose tests are all skipped starts nothing.
/// </summary>
public sealed class TestPostgresFixture : IDisposable
{
    private readonly Lazy<TestPostgres> _server = new(() => new TestPostgres());

    public TestPostgres Server => _server.Value;

    public void Dispose()
    {
        if (_server.IsValueCreated) _server.Value.Dispose();
    }
}
