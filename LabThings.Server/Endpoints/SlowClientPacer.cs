using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using LabThings.Outputs;

namespace LabThings.Server.Endpoints;

/// <summary>What the kernel says about a connection's sending side.</summary>
/// <param name="NotSentBytes">Bytes queued in the kernel and not yet sent.</param>
/// <param name="UnacknowledgedSegments">Segments sent and not yet acknowledged by the client's kernel.</param>
/// <param name="PeerWindowBytes">The receive window the client last advertised: how much more it can take.</param>
/// <param name="BytesAcknowledged">All bytes the client's kernel has acknowledged on this connection.</param>
internal readonly record struct TcpSendState(uint NotSentBytes, uint UnacknowledgedSegments, uint PeerWindowBytes, ulong BytesAcknowledged);

/// <summary>Linux's TCP socket options that stream connections use (values from linux/tcp.h).</summary>
internal static class LinuxTcp
{
    /// <summary>The socket option level: IPPROTO_TCP.</summary>
    public const int Level = 6;

    /// <summary>TCP_INFO: the connection's state, read by <see cref="LinuxTcpInfoProbe"/>.</summary>
    public const int Info = 11;

    /// <summary>TCP_NOTSENT_LOWAT: how many unsent bytes the kernel holds before the socket stops taking more.</summary>
    public const int NotSentLowWater = 25;
}

/// <summary>Reads a connection's <see cref="TcpSendState"/>.</summary>
internal interface ITcpSendProbe
{
    /// <summary>Reads the current state; false when the system cannot say (then pacing stops for the connection).</summary>
    bool TryRead(out TcpSendState state);
}

/// <summary>
/// Linux: <c>getsockopt(TCP_INFO)</c>. Offsets are those of <c>struct tcp_info</c> in linux/tcp.h, which only ever grows
/// at its end: <c>tcpi_unacked</c> at 24, <c>tcpi_bytes_acked</c> at 120, <c>tcpi_notsent_bytes</c> at 144,
/// <c>tcpi_snd_wnd</c> at 228 (Linux 6.2+).
/// </summary>
internal sealed class LinuxTcpInfoProbe(Socket socket) : ITcpSendProbe
{
    private const int Length = 232;
    private readonly byte[] _buffer = new byte[Length];

    public bool TryRead(out TcpSendState state)
    {
        state = default;
        try
        {
            if (socket.GetRawSocketOption(LinuxTcp.Level, LinuxTcp.Info, _buffer) < Length)
            {
                return false; // an older kernel without tcpi_snd_wnd
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or PlatformNotSupportedException)
        {
            return false;
        }

        state = new TcpSendState(
            BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(144)),
            BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(24)),
            BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(228)),
            BinaryPrimitives.ReadUInt64LittleEndian(_buffer.AsSpan(120)));
        return true;
    }
}

/// <summary>
/// Keeps a slow MJPEG client's frames fresh. A client is slow once a part's flush waits longer than the threshold.
/// While it is, after each part the writer waits until the client has read what it was sent before it chooses the
/// next frame, so the next frame does not queue behind the old one in the client's receive buffer (which the server's
/// own buffers and TCP_NOTSENT_LOWAT cannot see). "Read" means: nothing unsent or unacknowledged, and the client's
/// advertised window back at the largest it has shown, which a Linux receiver advertises only once its buffer is empty.
/// A receiver re-advertises its window only when it gets data (or its window has doubled), so while waiting the pacer
/// sends the next part's header a byte at a time: one as soon as everything sent is acknowledged (a client that read
/// the part at once shows its full window in reply), then a tenth of the last round apart (at most
/// <see cref="SlowProbeInterval"/>, and <see cref="FastProbeInterval"/> once the window shows the last tenth of a
/// drain). A client that takes three parts quickly again is no longer paced. Every connection starts paced for its
/// first part, so a slow client's second frame is fresh too; a fast one is let go after that part and never probed again.
/// </summary>
internal sealed class SlowClientPacer : IMultipartPacer
{
    /// <summary>The shortest spacing of readings of a paced connection's state: for a client whose last round took
    /// under 200 ms. Slower clients are read a twentieth of their last round apart, at most <see cref="MaxPollInterval"/>,
    /// so a thousand clients that never read cost a few thousand system calls a second, not a hundred thousand.</summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>The longest spacing of readings while waiting.</summary>
    internal static readonly TimeSpan MaxPollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest probe spacing: while the client's window shows its buffer more than a tenth full, probes
    /// are a tenth of the last part's round (flush and wait) apart, between <see cref="PollInterval"/> and this.</summary>
    internal static readonly TimeSpan SlowProbeInterval = TimeSpan.FromMilliseconds(150);

    /// <summary>The longest probe spacing once the window shows the buffer nearly empty.</summary>
    internal static readonly TimeSpan FastProbeInterval = TimeSpan.FromMilliseconds(40);

    /// <summary>The longest wait for one drain; after it the next frame is chosen anyway.</summary>
    internal static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(5);

    private const int FastPartsToLeave = 3;

    private readonly ITcpSendProbe _probe;
    private readonly TimeSpan _threshold;
    private readonly TimeProvider _time;
    private readonly ulong _acknowledgedAtStart;
    private uint _largestWindow;
    private bool _paced;
    private bool _disabled;
    private int _fastParts;
    private int _timeouts;
    private TimeSpan _lastRound;
    private ulong _written;

    public SlowClientPacer(ITcpSendProbe probe, TimeSpan threshold, TimeProvider time)
    {
        _probe = probe;
        _threshold = threshold;
        _time = time;

        // The window a client advertises with an empty buffer: seen here at the start, and updated whenever larger.
        if (probe.TryRead(out var state))
        {
            _largestWindow = state.PeerWindowBytes;
            _acknowledgedAtStart = state.BytesAcknowledged;

            // Every client starts paced, so a slow one's second frame does not queue behind its first; one that reads
            // its first part promptly is let go at once.
            _paced = true;
            _fastParts = FastPartsToLeave - 1;
        }
        else
        {
            _disabled = true;
        }
    }

    /// <summary>Whether the connection is being paced now.</summary>
    public bool IsPacing => _paced;

    public ValueTask<int> AfterPartAsync(PipeWriter writer, ReadOnlyMemory<byte> nextPartStart, int partBytes, TimeSpan flushWait, Func<bool> streamEnded, CancellationToken cancellationToken)
    {
        _written += (ulong)partBytes;
        if (_disabled)
        {
            return ValueTask.FromResult(0);
        }

        if (!_paced)
        {
            if (flushWait < _threshold)
            {
                return ValueTask.FromResult(0);
            }

            _paced = true;
            _fastParts = 0;
        }

        return WaitUntilReadAsync(writer, nextPartStart, flushWait, streamEnded, cancellationToken);
    }

    private async ValueTask<int> WaitUntilReadAsync(PipeWriter writer, ReadOnlyMemory<byte> nextPartStart, TimeSpan flushWait, Func<bool> streamEnded, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var spacing = TimeSpan.FromTicks(Math.Max(_lastRound.Ticks, flushWait.Ticks) / 10);
        var slowSpacing = Clamp(spacing, PollInterval, SlowProbeInterval);
        var fastSpacing = Clamp(spacing, PollInterval, FastProbeInterval);
        var pollSpacing = Clamp(spacing / 2, PollInterval, MaxPollInterval);
        long? lastProbe = null;
        var probes = 0;
        while (true)
        {
            if (!_probe.TryRead(out var state))
            {
                _disabled = true;
                _paced = false;
                return probes;
            }

            _largestWindow = Math.Max(_largestWindow, state.PeerWindowBytes);
            // Everything written has reached the client's kernel: the connection acknowledged at least as many bytes as
            // the parts and probes (HTTP framing only adds to what was sent), and holds nothing unsent or in flight.
            var delivered = state.NotSentBytes == 0 && state.UnacknowledgedSegments == 0
                            && state.BytesAcknowledged - _acknowledgedAtStart >= _written;
            if (delivered && state.PeerWindowBytes >= _largestWindow - (_largestWindow / 32))
            {
                _timeouts = 0;
                break;
            }

            if (streamEnded())
            {
                return probes; // the writer ends the body: nothing more to pace
            }

            if (_time.GetElapsedTime(started) >= MaxWait)
            {
                // The client reads nothing, or its window never comes back to the largest seen (its buffer shrank):
                // choose a frame anyway, and after two such waits take the window it shows now as its largest.
                if (++_timeouts >= 2)
                {
                    _largestWindow = state.PeerWindowBytes;
                    _timeouts = 0;
                }

                break;
            }

            if (delivered && probes < nextPartStart.Length)
            {
                var interval = state.PeerWindowBytes >= _largestWindow - (_largestWindow / 10) ? fastSpacing : slowSpacing;
                if (lastProbe is not { } last || _time.GetElapsedTime(last) >= interval)
                {
                    writer.Write(nextPartStart.Span.Slice(probes, 1));
                    probes++;
                    _written++;
                    lastProbe = _time.GetTimestamp();
                    var flush = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                    if (flush.IsCompleted || flush.IsCanceled)
                    {
                        return probes;
                    }
                }
            }

            await Task.Delay(pollSpacing, _time, cancellationToken).ConfigureAwait(false);
        }

        // Leave pacing once the client takes parts quickly again.
        _lastRound = flushWait + _time.GetElapsedTime(started);
        if (_lastRound < _threshold / 2)
        {
            if (++_fastParts >= FastPartsToLeave)
            {
                _paced = false;
            }
        }
        else
        {
            _fastParts = 0;
        }

        return probes;
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max)
        => value < min ? min : value > max ? max : value;
}
