using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FaceKit.Gallery.Postgres;

/// <summary>
/// One dedicated connection that LISTENs on the gallery's channel, and a background loop that
/// waits on it and hands each notification to <c>onChange</c>. Notifications sent while the
/// connection is down are lost by PostgreSQL's design, so after every reconnect (LISTEN first, then
/// read) <c>onReconnected</c> reloads everything. An idle connection is pinged, so a dead one is
/// noticed within seconds, not at the next change.
/// </summary>
internal sealed class ChangeListener : IDisposable
{
    private static readonly TimeSpan PingEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(5);

    private readonly NpgsqlDataSource _source;
    private readonly string _channel;
    private readonly Action<string> _onChange;
    private readonly Action _onReconnected;
    private readonly ILogger _logger;
    private readonly string _gallery;
    private readonly ConcurrentQueue<string> _received = new();
    private readonly CancellationTokenSource _stop = new();
    private NpgsqlConnection? _connection;
    private Task? _loop;
    private bool _disposed;
    private int _reconnects;

    public ChangeListener(NpgsqlDataSource source, string channel, string gallery, Action<string> onChange, Action onReconnected, ILogger logger)
    {
        _source = source;
        _channel = channel;
        _gallery = gallery;
        _onChange = onChange;
        _onReconnected = onReconnected;
        _logger = logger;
    }

    /// <summary>Times the feed was re-established after a loss (for tests and diagnostics).</summary>
    public int Reconnects => Volatile.Read(ref _reconnects);

    /// <summary>Whether the LISTEN connection is up now.</summary>
    public bool Connected => _connection is not null;

    /// <summary>The backend process id of the LISTEN connection (tests end it to simulate a network loss).</summary>
    public int? BackendProcessId => _connection?.ProcessID;

    /// <summary>Connects and LISTENs now, so changes committed after this call are never missed.</summary>
    public void Connect() => ConnectAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Starts the wait loop (after the caller's first full read).</summary>
    public void Start() => _loop = Task.Run(() => LoopAsync(_stop.Token));

    private async Task ConnectAsync(CancellationToken cancel)
    {
        var connection = _source.CreateConnection();
        try
        {
            await connection.OpenAsync(cancel);
            connection.Notification += (_, e) => _received.Enqueue(e.Payload);
            await using var listen = new NpgsqlCommand($"LISTEN {QuoteIdentifier(_channel)}", connection);
            await listen.ExecuteNonQueryAsync(cancel);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        _connection = connection;
    }

    private async Task LoopAsync(CancellationToken cancel)
    {
        var pause = FirstPause;
        while (!cancel.IsCancellationRequested)
        {
            try
            {
                if (_connection is null)
                {
                    await ConnectAsync(cancel);
                    _received.Clear();   // what the reload reads covers them
                    _onReconnected();
                    Interlocked.Increment(ref _reconnects);
                    _logger.LogInformation("gallery {Gallery}: change feed re-established; reloaded every template", _gallery);
                    pause = FirstPause;
                }
                // Drained before waiting too: LISTEN or a ping may have brought notifications in.
                while (_received.TryDequeue(out var payload)) _onChange(payload);
                if (!await _connection!.WaitAsync(PingEvery, cancel))
                {
                    await using var ping = new NpgsqlCommand("SELECT 1", _connection) { CommandTimeout = (int)PingEvery.TotalSeconds };
                    await ping.ExecuteScalarAsync(cancel);
                }
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // Whatever failed (the connection, or reading what a change named), the way back is
                // the same: a fresh connection, LISTEN, and a full reload.
                _logger.LogWarning("gallery {Gallery}: change feed interrupted ({Reason}); reconnecting in {Pause} ms",
                    _gallery, PostgresRunner.FirstLine(e.Message), pause.TotalMilliseconds);
                await DropAsync();
                try
                {
                    await Task.Delay(pause + TimeSpan.FromMilliseconds(Random.Shared.Next(0, (int)pause.TotalMilliseconds + 1)), cancel);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
            }
        }
        await DropAsync();
    }

    private async Task DropAsync()
    {
        var connection = _connection;
        _connection = null;
        if (connection is null) return;
        try { await connection.DisposeAsync(); }
        catch (Exception e) { _logger.LogDebug("gallery {Gallery}: closing the change feed: {Reason}", _gallery, e.Message); }
    }

    public static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stop.Cancel();
        try { _loop?.Wait(TimeSpan.FromSeconds(10)); }
        catch (AggregateException) { }
        if (_loop is null || !_loop.IsCompleted) DropAsync().GetAwaiter().GetResult();
        _stop.Dispose();
    }
}
