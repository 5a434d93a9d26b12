using System.Text;
using LabThings.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace LabThings.Tests.Server.Endpoints;

/// <summary>Stream endpoints invoked in-process: snapshot, viewer and the MJPEG body itself.</summary>
public sealed class StreamEndpointTests : IAsyncLifetime
{
    private MappedThings _things = null!;

    private ManualCamera Camera => _things.Services.GetRequiredService<ManualCamera>();

    public Task InitializeAsync()
    {
        _things = MappedThings.Create(lt => lt.AddThing<ManualCamera>("camera"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _things.DisposeAsync();

    [Fact]
    public async Task Snapshot_BeforeTheFirstFrame_Is503WithRetryAfter()
    {
        var response = await _things.InvokeAsync("GET", "/camera/stream/snapshot");

        response.Status.Should().Be(503);
        response.Headers.RetryAfter.ToString().Should().Be("1");
    }

    [Fact]
    public async Task Snapshot_AnswersTheNewestFrame()
    {
        Camera.Stream.AddFrame(ManualCamera.FakeFrame(1));
        Camera.Stream.AddFrame(ManualCamera.FakeFrame(2));

        var response = await _things.InvokeAsync("GET", "/camera/stream/snapshot");

        response.Status.Should().Be(200);
        response.ContentType.Should().Be("image/jpeg");
        ManualCamera.IdOf(response.Body).Should().Be(2);
        response.Headers["X-Frame-Index"].ToString().Should().Be("1");
    }

    [Fact]
    public async Task Viewer_IsAPageShowingTheStream()
    {
        var response = await _things.InvokeAsync("GET", "/camera/stream/viewer");

        response.Status.Should().Be(200);
        response.ContentType.Should().StartWith("text/html");
        response.Text.Should().Contain("<img id=\"stream\" src=\"/camera/stream\"");
    }

    [Fact]
    public async Task Stream_WritesTheNewestFrameThenEachNewOne_UntilTheClientLeaves()
    {
        Camera.Stream.AddFrame(ManualCamera.FakeFrame(1));
        var body = new WatchedStream();
        using var leave = new CancellationTokenSource();

        var serving = _things.InvokeAsync("GET", "/camera/stream", responseBody: body, cancellationToken: leave.Token);
        await body.WaitForAsync(ManualCamera.FakeFrame(1));
        Camera.Stream.AddFrame(ManualCamera.FakeFrame(2));
        await body.WaitForAsync(ManualCamera.FakeFrame(2));
        await leave.CancelAsync();
        var response = await serving.WaitAsync(TimeSpan.FromSeconds(10));

        response.Status.Should().Be(200);
        response.ContentType.Should().Be("multipart/x-mixed-replace; boundary=frame");
        var reader = new MultipartReader(new MemoryStream(body.ToArray()));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        ManualCamera.IdOf((await reader.ReadPartAsync(timeout.Token))!.Body).Should().Be(1);
        ManualCamera.IdOf((await reader.ReadPartAsync(timeout.Token))!.Body).Should().Be(2);
    }

    /// <summary>A response body the test can watch while the endpoint writes to it from another thread.</summary>
    private sealed class WatchedStream : Stream
    {
        private readonly Lock _gate = new();
        private readonly MemoryStream _data = new();
        private TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public byte[] ToArray()
        {
            lock (_gate)
            {
                return _data.ToArray();
            }
        }

        public async Task WaitForAsync(byte[] part)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (true)
            {
                Task written;
                lock (_gate)
                {
                    if (_data.ToArray().AsSpan().IndexOf(part) >= 0)
                    {
                        return;
                    }

                    written = _written.Task;
                }

                await written.WaitAsync(timeout.Token);
            }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            TaskCompletionSource written;
            lock (_gate)
            {
                _data.Write(buffer, offset, count);
                written = _written;
                _written = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            written.SetResult();
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.ToArray(), 0, buffer.Length);
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
