using FaceKit.Gallery.Postgres;
using FaceKit.Testing;
using Npgsql;

namespace FaceKit.Gallery.Tests.Postgres;

/// <summary>All PostgreSQL gallery tests share one throwaway server (started on first use) and run one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<TestPostgresFixture>
{
    public const string Name = "postgres";
}

/// <summary>A fresh database on the shared server; galleries opened through it are disposed with it.</summary>
internal sealed class PgGalleryFixture : IDisposable
{
    private readonly List<IDisposable> _opened = [];

    public PgGalleryFixture(TestPostgresFixture server)
    {
        Server = server.Server;
        Database = Server.CreateDatabase();
    }

    public TestPostgres Server { get; }

    public string Database { get; }

    /// <summary>postgres://postgres@127.0.0.1:PORT/DATABASE</summary>
    public string Url => Server.Url(Database);

    public PostgresGallery Open(GalleryOptions? options = null) => Track(PostgresGallery.Open(Url, options));

    public T Track<T>(T gallery) where T : IDisposable
    {
        _opened.Add(gallery);
        return gallery;
    }

    /// <summary>A plain connection to the gallery's database, to look at (or tamper with) what is stored.</summary>
    public NpgsqlConnection Connect()
    {
        var connection = new NpgsqlConnection(Server.ConnectionString(Database) + ";Pooling=false");
        connection.Open();
        return connection;
    }

    public object? Scalar(string sql)
    {
        using var connection = Connect();
        using var command = new NpgsqlCommand(sql, connection);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public int Execute(string sql)
    {
        using var connection = Connect();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        foreach (var gallery in _opened) gallery.Dispose();
    }
}

internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}
