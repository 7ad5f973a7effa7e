using System.Net;
using System.Net.Http;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// A response body read through a byte limit: the inner content's headers are kept, and reading it (buffered, as a
/// string or as a stream) throws <see cref="ResponseTooLargeException"/> when the declared length is over the limit or
/// once more than the limit has been read. Nothing past the limit is ever held. A <em>truncating</em> bound (the body of
/// an error answer) ends the body at the limit instead of throwing: a 503 maintenance page of 200 KiB is still a 503,
/// classified by its status (transient), not a permanent "answer too large".
/// </summary>
internal sealed class BoundedContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly int _limit;
    private readonly bool _truncate;

    public BoundedContent(HttpContent inner, int limit, bool truncate = false)
    {
        _inner = inner;
        _limit = limit;
        _truncate = truncate;
        foreach (var header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        await SerializeToStreamAsync(stream, context, CancellationToken.None).ConfigureAwait(false);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var source = await CreateContentReadStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            await source.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
    {
        if (!_truncate && _inner.Headers.ContentLength is { } declared && declared > _limit)
        {
            throw new ResponseTooLargeException(declared, _limit);
        }

        return new LimitedStream(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), _limit, _truncate);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>A read-only stream that throws once more than its limit has come through, or ends there when truncating.</summary>
    private sealed class LimitedStream(Stream inner, int limit, bool truncate) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) =>
            Ended ? 0 : Count(inner.Read(buffer, offset, Math.Min(count, Room)));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Ended ? 0 : Count(await inner.ReadAsync(buffer[..Math.Min(buffer.Length, Room)], cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        // A truncated body ends at the limit; nothing past it is read.
        private bool Ended => truncate && _read >= limit;

        // One byte past the limit is asked for, so a body of exactly the limit ends cleanly and a longer one is caught;
        // a truncating stream asks only for what is left.
        private int Room => truncate ? (int)(limit - _read) : (int)Math.Max(1, limit + 1 - _read);

        private int Count(int read)
        {
            _read += read;
            return _read > limit ? throw new ResponseTooLargeException(null, limit) : read;
        }
    }
}
